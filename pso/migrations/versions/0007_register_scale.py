"""register at scale: PDF bytes in their own table, folded names with a trigram index,
indexes for the register's orders

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:40:00

- certificate_pdfs(certificate_id, pdf): the bytes move out of `certificates` (kept, moved).
- organizations.search_name = fold(name) (casefolded, accents stripped), filled here and kept
  by the ORM from now on. PostgreSQL: a pg_trgm GIN index on it. SQLite: the FTS5 table
  `organization_search` (trigram tokenizer, external content) kept in step by triggers.
- certificates: (valid_from DESC, number DESC), (valid_until, number), (rung, number),
  (organization_id, valid_from, number).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pso.text.search import fold

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SQLITE_SEARCH = [
    ("CREATE VIRTUAL TABLE organization_search USING fts5("
    "search_name, content='organizations', content_rowid='id', tokenize='trigram')"),
    ("CREATE TRIGGER organization_search_ai AFTER INSERT ON organizations BEGIN "
    "INSERT INTO organization_search(rowid, search_name) VALUES (new.id, new.search_name); END"),
    ("CREATE TRIGGER organization_search_ad AFTER DELETE ON organizations BEGIN "
    "INSERT INTO organization_search(organization_search, rowid, search_name) "
    "VALUES ('delete', old.id, old.search_name); END"),
    ("CREATE TRIGGER organization_search_au AFTER UPDATE OF search_name ON organizations BEGIN "
    "INSERT INTO organization_search(organization_search, rowid, search_name) "
    "VALUES ('delete', old.id, old.search_name); "
    "INSERT INTO organization_search(rowid, search_name) VALUES (new.id, new.search_name); END"),
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        'certificate_pdfs',
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'],
                                name=op.f('fk_certificate_pdfs_certificate_id_certificates')),
        sa.PrimaryKeyConstraint('certificate_id', name=op.f('pk_certificate_pdfs')),
    )
    op.execute("INSERT INTO certificate_pdfs (certificate_id, pdf) "
               "SELECT id, pdf FROM certificates WHERE pdf IS NOT NULL")
    # Both databases drop a plain column in place (SQLite since 3.35), no table copy.
    op.execute("ALTER TABLE certificates DROP COLUMN pdf")

    op.add_column('organizations', sa.Column('search_name', sa.String(length=300),
                                             nullable=False, server_default=''))
    bind = op.get_bind()
    organizations = sa.table('organizations', sa.column('id', sa.Integer),
                             sa.column('name', sa.String), sa.column('search_name', sa.String))
    rows = bind.execute(sa.select(organizations.c.id, organizations.c.name)).all()
    for start in range(0, len(rows), 1000):
        bind.execute(
            organizations.update().where(organizations.c.id == sa.bindparam('oid'))
            .values(search_name=sa.bindparam('folded')),
            [{'oid': oid, 'folded': fold(name or '')} for oid, name in rows[start:start + 1000]],
        )
    op.create_index(op.f('ix_organizations_search_name'), 'organizations', ['search_name'])
    if sqlite:
        for statement in SQLITE_SEARCH:
            op.execute(statement)
        op.execute("INSERT INTO organization_search(organization_search) VALUES ('rebuild')")
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_organizations_search_trgm ON organizations "
                   "USING gin (search_name gin_trgm_ops)")

    op.create_index('ix_certificates_newest', 'certificates',
                    [sa.text('valid_from DESC'), sa.text('number DESC')])
    op.create_index('ix_certificates_validity', 'certificates', ['valid_until', 'number'])
    op.create_index('ix_certificates_rung_number', 'certificates', ['rung', 'number'])
    op.create_index('ix_certificates_org_newest', 'certificates',
                    ['organization_id', 'valid_from', 'number'])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_index('ix_certificates_org_newest', table_name='certificates')
    op.drop_index('ix_certificates_rung_number', table_name='certificates')
    op.drop_index('ix_certificates_validity', table_name='certificates')
    op.drop_index('ix_certificates_newest', table_name='certificates')
    if sqlite:
        for name in ('organization_search_au', 'organization_search_ad', 'organization_search_ai'):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE organization_search")
    else:
        op.execute("DROP INDEX ix_organizations_search_trgm")
    op.drop_index(op.f('ix_organizations_search_name'), table_name='organizations')
    op.execute("ALTER TABLE organizations DROP COLUMN search_name")
    op.add_column('certificates', sa.Column('pdf', sa.LargeBinary(), nullable=True))
    op.execute("UPDATE certificates SET pdf = (SELECT pdf FROM certificate_pdfs "
               "WHERE certificate_pdfs.certificate_id = certificates.id)")
    op.drop_table('certificate_pdfs')
