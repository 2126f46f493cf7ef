"""sroi_models: a buyer organisation's own valuation models (SPEC §8.1)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 19:13:04.030425
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

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


def downgrade() -> None:
    with op.batch_alter_table('sroi_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sroi_models_party_id'))

    op.drop_table('sroi_models')
