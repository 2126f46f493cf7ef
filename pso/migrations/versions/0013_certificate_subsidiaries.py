"""certificate_subsidiaries: the KvK numbers each certificate covers besides its main
applicant, one row per entry of its frozen list (certificates.subsidiaries), indexed by KvK;
one contract check per award and day

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-05 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None

BATCH = 1_000


def upgrade() -> None:
    # A new table only: certificates itself is not rebuilt (see docs/architecture.md).
    table = op.create_table('certificate_subsidiaries',
    sa.Column('kvk', sa.String(length=8), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_subsidiaries_certificate_id_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kvk', 'certificate_id', name=op.f('pk_certificate_subsidiaries'))
    )
    op.create_index(op.f('ix_certificate_subsidiaries_certificate_id'), 'certificate_subsidiaries', ['certificate_id'], unique=False)
    # Backfill from what each certificate was issued for (its stored list), not from the
    # organisation's subsidiaries today.
    certificates = sa.table('certificates', sa.column('id', sa.Integer()),
                            sa.column('subsidiaries', sa.JSON()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(certificates.c.id, certificates.c.subsidiaries)
                        .where(certificates.c.subsidiaries.is_not(None))
                        .order_by(certificates.c.id)).all()
    values = [{'kvk': kvk, 'certificate_id': cid} for cid, items in rows
              for kvk in sorted({item['kvk'] for item in items or ()})]
    for start in range(0, len(values), BATCH):
        bind.execute(sa.insert(table), values[start:start + BATCH])

    # One contract check per award and day: keep the last look of a day, then make it a rule.
    op.execute('DELETE FROM contract_checks WHERE id NOT IN '
               '(SELECT max(id) FROM contract_checks GROUP BY award_id, day)')
    op.create_index('uq_contract_checks_award_day', 'contract_checks', ['award_id', 'day'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_contract_checks_award_day', table_name='contract_checks')
    op.drop_index(op.f('ix_certificate_subsidiaries_certificate_id'), table_name='certificate_subsidiaries')
    op.drop_table('certificate_subsidiaries')
