"""Migration 0015 on a database with applications in every state: those already in review
count as handed over (a decision that was possible stays possible), the others do not; the
form_replies table comes and goes with it. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from pso.db.engine import make_engine
from pso.db.migrate import alembic_config, upgrade
from tests.conftest import BACKENDS
from tests.databases import temporary_postgres

STATES = ("draft", "submitted", "in_review", "information_requested", "approved")


async def _run(url: str, *statements: tuple[str, dict]) -> list:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            result = None
            for sql, params in statements:
                result = await conn.execute(text(sql), params)
            return list(result) if result is not None and result.returns_rows else []
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_applications_in_review_count_as_handed_over(backend: str, tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        url = (stack.enter_context(temporary_postgres("pso_migration_0015"))
               if backend == "postgres" else f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
        upgrade(url, "0011")
        now = datetime(2026, 12, 1, 10, tzinfo=UTC)
        inserts = [(("INSERT INTO organizations (id, kvk, name, municipality_code, kind, "
                    "created_at, search_name) VALUES (1, '12345678', 'Org', 'GM0363', "
                    "'company', :now, 'org')"), {"now": now})]
        for i, state in enumerate(STATES, start=1):
            inserts.append((
                ("INSERT INTO assessments (id, organization_id, status, submission, score, "
                "rulebook, created_at, updated_at, corrected, wizard_step, review_started_at) "
                "VALUES (:id, 1, :status, '{}', '{}', 'pso-2.1', :now, :now, false, 1, :started)"),
                {"id": i, "status": state, "now": now,
                 "started": now if state in ("in_review", "approved") else None}))
        asyncio.run(_run(url, *inserts))
        upgrade(url, "0015")
        rows = asyncio.run(_run(url, (("SELECT status, review_completed_at IS NOT NULL "
                                      "FROM assessments ORDER BY id"), {})))
        assert [(status, bool(done)) for status, done in rows] == [
            ("draft", False), ("submitted", False), ("in_review", True),
            ("information_requested", False), ("approved", False)]
        assert asyncio.run(_run(url, ("SELECT count(*) FROM form_replies", {})))[0][0] == 0
        command.downgrade(alembic_config(url), "0011")
        tables = "SELECT count(*) FROM assessments"
        assert asyncio.run(_run(url, (tables, {})))[0][0] == len(STATES)
