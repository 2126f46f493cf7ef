"""vouchers: municipal subsidy voucher schemes and their vouchers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 00:29:26.727743
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

import pso.db.base

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('voucher_schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=False),
    sa.Column('voucher_amount', pso.db.base.Money(), nullable=False),
    sa.Column('budget', pso.db.base.Money(), nullable=False),
    sa.Column('application_opens_on', sa.Date(), nullable=False),
    sa.Column('application_closes_on', sa.Date(), nullable=False),
    sa.Column('voucher_validity_days', sa.Integer(), nullable=False),
    sa.Column('max_fte', pso.db.base.Money(), nullable=False),
    sa.Column('eligible_municipality_codes', sa.JSON(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint('application_closes_on >= application_opens_on', name=op.f('ck_voucher_schemes_window')),
    sa.CheckConstraint('voucher_amount > 0 AND budget >= voucher_amount', name=op.f('ck_voucher_schemes_amounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_schemes'))
    )
    with op.batch_alter_table('voucher_schemes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_schemes_municipality_code'), ['municipality_code'], unique=False)

    op.create_table('vouchers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('fte', pso.db.base.Money(), nullable=False),
    sa.Column('amount', pso.db.base.Money(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('issued_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=200), nullable=False),
    sa.Column('redeemed_on', sa.Date(), nullable=True),
    sa.Column('redeemed_amount', pso.db.base.Money(), nullable=True),
    sa.Column('invoice_amount', pso.db.base.Money(), nullable=True),
    sa.Column('certificate_number', sa.String(length=16), nullable=True),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('redeemed_by', sa.String(length=200), nullable=True),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('cancellation_reason', sa.String(length=500), nullable=True),
    sa.Column('cancelled_by', sa.String(length=200), nullable=True),
    sa.CheckConstraint("status IN ('issued', 'redeemed', 'cancelled')", name=op.f('ck_vouchers_status')),
    sa.CheckConstraint('redeemed_amount IS NULL OR (redeemed_amount > 0 AND redeemed_amount <= amount)', name=op.f('ck_vouchers_redeemed_amount')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_vouchers_organization_id_organizations')),
    sa.ForeignKeyConstraint(['scheme_id'], ['voucher_schemes.id'], name=op.f('fk_vouchers_scheme_id_voucher_schemes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vouchers')),
    sa.UniqueConstraint('code', name=op.f('uq_vouchers_code')),
    sa.UniqueConstraint('scheme_id', 'organization_id', name='uq_vouchers_scheme_organization')
    )
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vouchers_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vouchers_scheme_id'), ['scheme_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vouchers_scheme_id'))
        batch_op.drop_index(batch_op.f('ix_vouchers_organization_id'))

    op.drop_table('vouchers')
    with op.batch_alter_table('voucher_schemes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_schemes_municipality_code'))

    op.drop_table('voucher_schemes')
