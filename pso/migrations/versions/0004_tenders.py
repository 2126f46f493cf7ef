"""tenders: stored procurement tenders, their bids and the decided evaluation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 00:38:54.277485
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

import pso.db.base

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tenders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('policy', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('evaluated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('evaluated_by', sa.String(length=200), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_tenders_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenders'))
    )
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenders_owner_id'), ['owner_id'], unique=False)

    op.create_table('tender_bids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('bidder', sa.String(length=300), nullable=False),
    sa.Column('kvk', sa.String(length=8), nullable=False),
    sa.Column('price', pso.db.base.Money(), nullable=False),
    sa.Column('certificate_number', sa.String(length=16), nullable=True),
    sa.Column('declared_rung', sa.String(length=12), nullable=True),
    sa.Column('consortium', sa.JSON(), nullable=True),
    sa.Column('submitted_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('submitted_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint('price > 0', name=op.f('ck_tender_bids_price')),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_tender_bids_tender_id_tenders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_bids')),
    sa.UniqueConstraint('tender_id', 'kvk', name='uq_tender_bids_tender_kvk'),
    sa.UniqueConstraint('tender_id', 'position', name='uq_tender_bids_tender_position')
    )


def downgrade() -> None:
    op.drop_table('tender_bids')
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tenders_owner_id'))

    op.drop_table('tenders')
