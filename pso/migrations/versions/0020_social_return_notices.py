"""social_return_notices: the daily jobs' record of social-return mails (issue 28 item 6); the
evidence documents of realisation lines and the PSO certificate a purchase line's supplier
held on the invoice date (item 4)

Revision ID: 0020
Revises: 0021 (main's newest; given as 0018, chained at the merges)
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('social_return_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('period_key', sa.String(length=10), nullable=False),
    sa.Column('run_on', sa.Date(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('quarterly', 'waiting', 'shortfall')", name=op.f('ck_social_return_notices_kind')),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_social_return_notices_tender_id_tenders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_return_notices')),
    sa.UniqueConstraint('tender_id', 'kind', 'period_key', name='uq_social_return_notices_key')
    )
    op.create_table('social_return_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['social_return_lines.id'], name=op.f('fk_social_return_documents_line_id_social_return_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_return_documents'))
    )
    with op.batch_alter_table('social_return_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_return_documents_line_id'), ['line_id'], unique=False)
    # In place (no table rebuild): a nullable column needs none on SQLite either.
    op.add_column('social_return_lines',
                  sa.Column('supplier_certificate', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('social_return_lines', schema=None) as batch_op:
        batch_op.drop_column('supplier_certificate')
    with op.batch_alter_table('social_return_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_return_documents_line_id'))
    op.drop_table('social_return_documents')
    op.drop_table('social_return_notices')
