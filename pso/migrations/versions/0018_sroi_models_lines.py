"""sroi_models_lines: a buyer organisation's own valuation models (SPEC §8.1) and the
realisation lines a contractor reports (SPEC §8.2)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 19:13:04.030425
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

import pso.db.base

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sroi_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('model_key', sa.String(length=60), nullable=False),
    sa.Column('based_on', sa.String(length=60), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_sroi_models_party_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sroi_models')),
    sa.UniqueConstraint('party_id', 'model_key', name='uq_sroi_models_party_key')
    )
    with op.batch_alter_table('sroi_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sroi_models_party_id'), ['party_id'], unique=False)

    op.create_table('social_return_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('block', sa.String(length=40), nullable=False),
    sa.Column('pseudonym', sa.String(length=20), nullable=True),
    sa.Column('start', sa.Date(), nullable=True),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('hours_per_week', pso.db.base.Money(), nullable=True),
    sa.Column('bonuses', sa.JSON(), nullable=True),
    sa.Column('hours', pso.db.base.Money(), nullable=True),
    sa.Column('description', sa.String(length=300), nullable=True),
    sa.Column('supplier_name', sa.String(length=300), nullable=True),
    sa.Column('supplier_kvk', sa.String(length=8), nullable=True),
    sa.Column('invoice_number', sa.String(length=60), nullable=True),
    sa.Column('invoice_date', sa.Date(), nullable=True),
    sa.Column('amount', pso.db.base.Money(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('reported_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('reported_by', sa.String(length=200), nullable=False),
    sa.Column('reviewed_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.CheckConstraint("status IN ('submitted', 'accepted', 'rejected')", name=op.f('ck_social_return_lines_status')),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_social_return_lines_tender_id_tenders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_return_lines'))
    )
    with op.batch_alter_table('social_return_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_return_lines_tender_id'), ['tender_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('social_return_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_return_lines_tender_id'))

    op.drop_table('social_return_lines')
    with op.batch_alter_table('sroi_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sroi_models_party_id'))

    op.drop_table('sroi_models')
