"""register filter indexes: the place filter, the rung filter in register order, the
register's orders covering the organisation

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-05 22:30:00

- organizations(municipality_code): the place filter finds its organisations (a few hundred
  of 100,000) instead of walking the register and testing each row's organisation.
- certificates(rung, valid_from DESC, number DESC): a rung filter (with or without a status)
  walks its own certificates newest first and stops after a page, instead of sorting all of
  them; the count walks the same index.
- the three order indexes of 0007 again with organization_id at the end: a name search with
  many matches walks the order's index and tests each entry's organisation against the
  words' matches; with the organisation in the index entry that walk (and the deep pages
  that skip over it) never reads the certificate rows (PostgreSQL indexes also INCLUDE the
  id, which SQLite keeps in every index entry anyway: an index-only walk).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None


ORDERS = {  # name: (0007's columns, with the organisation)
    "ix_certificates_newest": [sa.text("valid_from DESC"), sa.text("number DESC")],
    "ix_certificates_validity": ["valid_until", "number"],
    "ix_certificates_rung_number": ["rung", "number"],
}


def upgrade() -> None:
    op.create_index("ix_organizations_municipality_code", "organizations", ["municipality_code"])
    op.create_index(
        "ix_certificates_rung_newest",
        "certificates",
        ["rung", sa.text("valid_from DESC"), sa.text("number DESC")],
        postgresql_include=["id"],
    )
    for name, columns in ORDERS.items():
        op.drop_index(name, table_name="certificates")
        op.create_index(
            name, "certificates", [*columns, "organization_id"], postgresql_include=["id"]
        )


def downgrade() -> None:
    for name, columns in ORDERS.items():
        op.drop_index(name, table_name="certificates")
        op.create_index(name, "certificates", columns)
    op.drop_index("ix_certificates_rung_newest", table_name="certificates")
    op.drop_index("ix_organizations_municipality_code", table_name="organizations")
