"""company_portal: subsidiaries of applying organisations, wizard state of applications,
the subsidiaries a certificate covers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 14:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organization_subsidiaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kvk', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_subsidiaries_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_subsidiaries')),
    sa.UniqueConstraint('kvk', name=op.f('uq_organization_subsidiaries_kvk'))
    )
    with op.batch_alter_table('organization_subsidiaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_subsidiaries_organization_id'), ['organization_id'], unique=False)

    # Plain columns only (no foreign keys): SQLite adds and drops them with ALTER TABLE,
    # without rebuilding tables that other tables refer to.
    op.add_column('assessments', sa.Column('wizard_step', sa.Integer(), server_default='1', nullable=False))
    op.add_column('assessments', sa.Column('motivations', sa.JSON(), nullable=True))
    op.add_column('assessments', sa.Column('copied_from_id', sa.Integer(), nullable=True))
    op.add_column('certificates', sa.Column('subsidiaries', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('certificates', 'subsidiaries')
    op.drop_column('assessments', 'copied_from_id')
    op.drop_column('assessments', 'motivations')
    op.drop_column('assessments', 'wizard_step')

    with op.batch_alter_table('organization_subsidiaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_subsidiaries_organization_id'))

    op.drop_table('organization_subsidiaries')
