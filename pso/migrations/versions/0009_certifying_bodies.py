"""certifying_bodies: bodies as parties, the review states of an assessment, evidence
documents, and PSO 30+ certificates that follow their ladder certificate

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None

DateTimeUTC = advanced_alchemy.types.datetime.DateTimeUTC


# New columns that point at another table: (table, column, referenced table). SQLite cannot
# add a foreign key to an existing table without rebuilding it, and rebuilding a table that
# other rows point at is refused while foreign keys are enforced: there the column is added
# with a REFERENCES clause (allowed for a nullable column), never by a rebuild.
LINKS = [("assessments", "certifying_body_id", "parties"),
         ("certificates", "ladder_certificate_id", "certificates"),
         ("certificates", "certifying_body_id", "parties")]
COLUMNS = {
    "assessments": [
        sa.Column('reviewer_key', sa.String(length=60), nullable=True),
        sa.Column('reviewed_by', sa.String(length=200), nullable=True),
        sa.Column('review_started_at', DateTimeUTC(timezone=True), nullable=True),
        sa.Column('decider_key', sa.String(length=60), nullable=True),
        sa.Column('information_request', sa.Text(), nullable=True),
        sa.Column('information_requested_at', DateTimeUTC(timezone=True), nullable=True),
        sa.Column('original_submission', sa.JSON(), nullable=True),
        sa.Column('original_score', sa.JSON(), nullable=True),
        sa.Column('sample_seed', sa.BigInteger(), nullable=True),
    ],
    "certificate_suspensions": [
        sa.Column('follows_ladder', sa.Boolean(), nullable=False, server_default=sa.false()),
    ],
}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _fk_name(table: str, column: str, target: str) -> str:
    return f"fk_{table}_{column}_{target}"


def upgrade() -> None:
    op.create_table('certifying_bodies',    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('accreditation', sa.Text(), nullable=False),
    sa.Column('separate_decision', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_certifying_bodies_party_id_parties')),
    sa.PrimaryKeyConstraint('party_id', name=op.f('pk_certifying_bodies'))
    )
    op.create_table('assessment_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', DateTimeUTC(timezone=True), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_documents_assessment_id_assessments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_documents'))
    )
    with op.batch_alter_table('assessment_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_documents_assessment_id'), ['assessment_id'], unique=False)
    op.create_table('assessment_document_contents',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['assessment_documents.id'], name=op.f('fk_assessment_document_contents_document_id_assessment_documents')),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_assessment_document_contents'))
    )
    for table, columns in COLUMNS.items():
        for column in columns:
            op.add_column(table, column)
    for table, column, target in LINKS:
        if _sqlite():
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {target} (id)")
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(_fk_name(table, column, target), table, target, [column], ['id'])
    op.create_index('ix_assessments_certifying_body_id', 'assessments', ['certifying_body_id'])
    if not _sqlite():  # SQLite does not enforce lengths; PostgreSQL needs room for the states
        op.alter_column('assessments', 'status', existing_type=sa.String(length=12),
                        type_=sa.String(length=24), existing_nullable=False)

    _existing_data()


def _existing_data() -> None:
    """Bodies made before this revision get their defaults; every PSO 30+ certificate is
    linked to the ladder certificate of its assessment and takes over what happened to it."""
    bind = op.get_bind()
    bind.execute(sa.text(
        "INSERT INTO certifying_bodies (party_id, accreditation, separate_decision) "
        "SELECT id, '', :yes FROM parties WHERE kind = 'certifying_body'"), {"yes": True})
    bind.execute(sa.text(
        "UPDATE certificates SET ladder_certificate_id = (SELECT l.id FROM certificates l "
        "WHERE l.assessment_id = certificates.assessment_id AND l.kind = 'ladder') "
        "WHERE kind = 'pso30plus'"))
    pairs = bind.execute(sa.text(
        "SELECT p.id, l.revoked_on, l.revocation_reason, l.superseded_from, l.number "
        "FROM certificates p JOIN certificates l ON l.id = p.ladder_certificate_id")).fetchall()
    for plus_id, revoked_on, reason, superseded_from, number in pairs:
        if revoked_on is not None:
            bind.execute(sa.text(
                "UPDATE certificates SET revoked_on = :day, revocation_reason = :reason "
                "WHERE id = :id AND revoked_on IS NULL"),
                {"day": revoked_on, "reason": f"Ladder-certificaat {number} ingetrokken: {reason}",
                 "id": plus_id})
        if superseded_from is not None:
            bind.execute(sa.text(
                "UPDATE certificates SET superseded_from = :day WHERE id = :id "
                "AND (superseded_from IS NULL OR superseded_from > :day)"),
                {"day": superseded_from, "id": plus_id})
        rows = bind.execute(sa.text(
            "SELECT s.start, s.\"end\" FROM certificate_suspensions s JOIN certificates p "
            "ON p.ladder_certificate_id = s.certificate_id WHERE p.id = :id"),
            {"id": plus_id}).fetchall()
        for start, end in rows:
            bind.execute(sa.text(
                "INSERT INTO certificate_suspensions (certificate_id, start, \"end\", reason, "
                "follows_ladder) VALUES (:id, :start, :end, :reason, :yes)"),
                {"id": plus_id, "start": start, "end": end, "yes": True,
                 "reason": "Volgt de schorsing van het ladder-certificaat."})


def downgrade() -> None:
    # The states of the review do not exist before this revision: back to `submitted`.
    op.execute("UPDATE assessments SET status = 'submitted' "
               "WHERE status IN ('in_review', 'information_requested')")
    op.drop_index('ix_assessments_certifying_body_id', table_name='assessments')
    for table, column, target in LINKS:
        if not _sqlite():
            op.drop_constraint(_fk_name(table, column, target), table, type_='foreignkey')
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    for table, columns in COLUMNS.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column.name}")
    if not _sqlite():
        op.alter_column('assessments', 'status', existing_type=sa.String(length=24),
                        type_=sa.String(length=12), existing_nullable=False)
    op.drop_table('assessment_document_contents')
    op.drop_index(op.f('ix_assessment_documents_assessment_id'),
                  table_name='assessment_documents')
    op.drop_table('assessment_documents')
    op.drop_table('certifying_bodies')
