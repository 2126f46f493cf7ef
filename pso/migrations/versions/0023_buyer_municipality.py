"""parties.municipality_code: the municipality a buying organisation buys for (issue 28 item
8), so a municipality sees its buyers' social-return figures; empty for other parties

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # In place (no batch rebuild): a nullable column without a constraint.
    op.add_column("parties", sa.Column("municipality_code", sa.String(length=6), nullable=True))
    op.create_index(op.f("ix_parties_municipality_code"), "parties", ["municipality_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_parties_municipality_code"), table_name="parties")
    op.drop_column("parties", "municipality_code")
