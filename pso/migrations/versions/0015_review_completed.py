"""review_completed: the reviewer's hand-over to the decider ("beoordeling afgerond")

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-05 19:10:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0011'
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


def downgrade() -> None:
    op.drop_column('assessments', 'review_completed_at')
