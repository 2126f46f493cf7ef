"""review_completed: the reviewer's hand-over to the decider ("beoordeling afgerond"),
and form_replies (a refused form's page for the GET after the redirect)

Revision ID: 0015
Revises: 0018
Create Date: 2026-12-05 19:10:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0018'
branch_labels = None
depends_on = None

DateTimeUTC = advanced_alchemy.types.datetime.DateTimeUTC


def upgrade() -> None:
    # In place (no table rebuild on SQLite). Applications already in review before this
    # revision count as handed over, so a decision that was possible stays possible.
    op.add_column('assessments', sa.Column('review_completed_at', DateTimeUTC(timezone=True),
                                           nullable=True))
    op.execute("UPDATE assessments SET review_completed_at = review_started_at "
               "WHERE status = 'in_review'")
    op.create_table('form_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('basis_hash', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_replies')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_form_replies_token_hash'))
    )
    with op.batch_alter_table('form_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_replies_created_at'), ['created_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('form_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_replies_created_at'))
    op.drop_table('form_replies')
    op.drop_column('assessments', 'review_completed_at')
