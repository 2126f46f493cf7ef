"""monitoring_vouchers: tender awards and contract monitoring (checks, events), tenders of a
buyer party, voucher requests needing approval (statuses requested/refused), stored voucher PDFs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:41:56.047047
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

import pso.db.base

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tender_awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('bidder', sa.String(length=300), nullable=False),
    sa.Column('kvk', sa.String(length=8), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rung', sa.String(length=12), nullable=False),
    sa.Column('pso30plus', sa.Boolean(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('price', pso.db.base.Money(), nullable=False),
    sa.Column('advantage', pso.db.base.Money(), nullable=False),
    sa.Column('penalty', pso.db.base.Money(), nullable=False),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('contract_start', sa.Date(), nullable=False),
    sa.Column('contract_end', sa.Date(), nullable=False),
    sa.Column('awarded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('awarded_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint('contract_end >= contract_start', name=op.f('ck_tender_awards_contract')),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_tender_awards_tender_id_tenders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_awards')),
    sa.UniqueConstraint('tender_id', name=op.f('uq_tender_awards_tender_id'))
    )
    op.create_table('contract_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['tender_awards.id'], name=op.f('fk_contract_checks_award_id_tender_awards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_checks'))
    )
    with op.batch_alter_table('contract_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_checks_award_id'), ['award_id'], unique=False)

    op.create_table('contract_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('certificate_number', sa.String(length=16), nullable=False),
    sa.Column('kvk', sa.String(length=8), nullable=False),
    sa.Column('rung_won', sa.String(length=12), nullable=False),
    sa.Column('rung_now', sa.String(length=12), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('penalty', pso.db.base.Money(), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['tender_awards.id'], name=op.f('fk_contract_events_award_id_tender_awards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_events')),
    sa.UniqueConstraint('award_id', 'certificate_number', 'kind', name='uq_contract_events_award_certificate_kind')
    )
    with op.batch_alter_table('contract_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_events_award_id'), ['award_id'], unique=False)

    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tenders_party_id'), ['party_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tenders_party_id_parties'), 'parties', ['party_id'], ['id'])

    with op.batch_alter_table('voucher_schemes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_approval', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decided_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decided_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('refusal_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('pdf_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('pdf_status', sa.String(length=12), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_vouchers_status'), type_='check')
        batch_op.create_check_constraint(
            'status', "status IN ('requested', 'issued', 'redeemed', 'cancelled', 'refused')")



def downgrade() -> None:
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_vouchers_status'), type_='check')
        batch_op.create_check_constraint('status', "status IN ('issued', 'redeemed', 'cancelled')")
        batch_op.drop_column('pdf_status')
        batch_op.drop_column('pdf_sha256')
        batch_op.drop_column('pdf')
        batch_op.drop_column('refusal_reason')
        batch_op.drop_column('decided_by')
        batch_op.drop_column('decided_on')
        batch_op.drop_column('requested_on')

    with op.batch_alter_table('voucher_schemes', schema=None) as batch_op:
        batch_op.drop_column('requires_approval')

    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tenders_party_id_parties'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tenders_party_id'))
        batch_op.drop_column('party_id')

    with op.batch_alter_table('contract_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_events_award_id'))

    op.drop_table('contract_events')
    with op.batch_alter_table('contract_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_checks_award_id'))

    op.drop_table('contract_checks')
    op.drop_table('tender_awards')
