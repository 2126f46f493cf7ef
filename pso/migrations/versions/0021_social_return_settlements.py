"""social_return_settlements: the frozen settlement of a social-return contract (SPEC §8.2)

Revision ID: 0021
Revises: 0015
Create Date: 2026-12-05 20:10:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

import pso.db.base

revision = '0021'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('social_return_settlements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('settled_on', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('settled_by', sa.String(length=200), nullable=False),
    sa.Column('early', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('obligation', pso.db.base.Money(), nullable=False),
    sa.Column('reduction', pso.db.base.Money(), nullable=False),
    sa.Column('remaining', pso.db.base.Money(), nullable=False),
    sa.Column('realised', pso.db.base.Money(), nullable=False),
    sa.Column('shortfall', pso.db.base.Money(), nullable=False),
    sa.Column('penalty', pso.db.base.Money(), nullable=False),
    sa.Column('blocks', sa.JSON(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_social_return_settlements_tender_id_tenders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_return_settlements')),
    sa.UniqueConstraint('tender_id', name=op.f('uq_social_return_settlements_tender_id'))
    )


def downgrade() -> None:
    op.drop_table('social_return_settlements')
