"""Migration 0007 keeps existing data: PDF bytes move to certificate_pdfs, names get their
folded search form (and on SQLite the FTS5 index), on SQLite and PostgreSQL; and back."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from sqlalchemy import text

from pso.db.engine import make_engine
from pso.db.migrate import alembic_config, upgrade
from tests.conftest import BACKENDS
from tests.databases import temporary_postgres

PDF = b"%PDF-1.7 original bytes \x00\xff"


async def _run(url: str, *statements: str) -> list:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            result = None
            for statement in statements:
                result = await conn.execute(text(statement))
            return list(result) if result is not None and result.returns_rows else []
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_0007_moves_pdf_bytes_and_folds_names(backend: str, tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        url = (f"sqlite+aiosqlite:///{tmp_path}/m.sqlite3" if backend == "sqlite"
               else stack.enter_context(temporary_postgres("pso_m7")))
        upgrade(url, "0004")
        pdf_literal = ("X'" + PDF.hex() + "'" if backend == "sqlite"
                       else "'\\x" + PDF.hex() + "'::bytea")
        asyncio.run(_run(
            url,
            "INSERT INTO organizations (id, kvk, name, municipality_code, kind, created_at) "
            "VALUES (1, '12345678', 'Coöperatie Één', 'GM0344', 'company', CURRENT_TIMESTAMP)",
            "INSERT INTO assessments (id, organization_id, status, submission, score, rulebook, "
            "created_at, updated_at, corrected) VALUES (1, 1, 'approved', '{}', '{}', "
            "'pso-2.1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false)",
            "INSERT INTO certificates (id, number, kind, rung, organization_id, assessment_id, "
            "valid_from, valid_until, rulebook, issuer, issued_at, pdf, pdf_sha256) VALUES "
            "(1, 'PSO-2026-000001', 'ladder', 'trede2', 1, 1, '2026-01-01', '2028-12-31', "
            f"'pso-2.1', 'x', CURRENT_TIMESTAMP, {pdf_literal}, 'abc')",
        ))
        upgrade(url)
        assert asyncio.run(_run(url, "SELECT certificate_id, pdf FROM certificate_pdfs")) == [
            (1, PDF)]
        columns = asyncio.run(_run(url, "SELECT * FROM certificates"))[0]._fields
        assert "pdf" not in columns
        assert asyncio.run(_run(url, "SELECT search_name FROM organizations")) == [
            ("cooperatie een",)]
        if backend == "sqlite":
            assert asyncio.run(_run(url, "SELECT rowid FROM organization_search "
                                         "WHERE organization_search MATCH '\"perat\"'")) == [(1,)]
        from alembic import command

        command.downgrade(alembic_config(url), "0004")
        assert asyncio.run(_run(url, "SELECT pdf FROM certificates")) == [(PDF,)]
