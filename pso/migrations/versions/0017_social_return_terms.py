"""social_return_terms: the SROI terms of an awarded tender (SPEC §8.2), with the valuation
model it was agreed under

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-05 19:02:31.306345
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

import pso.db.base

revision = '0017'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('social_return_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('contract_sum', pso.db.base.Money(), nullable=False),
    sa.Column('rate_pct', pso.db.base.Money(), nullable=True),
    sa.Column('cap', pso.db.base.Money(), nullable=True),
    sa.Column('fixed_amount', pso.db.base.Money(), nullable=True),
    sa.Column('reductions', sa.JSON(), nullable=False),
    sa.Column('rung', sa.String(length=12), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('obligation', pso.db.base.Money(), nullable=False),
    sa.Column('reduction_pct', pso.db.base.Money(), nullable=False),
    sa.Column('reduction', pso.db.base.Money(), nullable=False),
    sa.Column('remaining', pso.db.base.Money(), nullable=False),
    sa.Column('model_id', sa.String(length=60), nullable=False),
    sa.Column('model', sa.JSON(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('settlement', sa.JSON(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_social_return_terms_period')),
    sa.ForeignKeyConstraint(['award_id'], ['tender_awards.id'], name=op.f('fk_social_return_terms_award_id_tender_awards')),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_social_return_terms_tender_id_tenders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_return_terms')),
    sa.UniqueConstraint('tender_id', name=op.f('uq_social_return_terms_tender_id'))
    )
    with op.batch_alter_table('social_return_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_return_terms_award_id'), ['award_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('social_return_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_return_terms_award_id'))

    op.drop_table('social_return_terms')
