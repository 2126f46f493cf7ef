"""Migration 0005 on a database of the first release: its tokens keep working unchanged,
on SQLite and PostgreSQL, and the migration can be undone."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from alembic import command
from litestar.testing import TestClient
from sqlalchemy import text

from pso.app import create_app
from pso.auth import hash_token, new_token
from pso.db.engine import make_engine
from pso.db.migrate import alembic_config, upgrade
from pso.settings import Settings
from tests.conftest import BACKENDS
from tests.databases import temporary_postgres


async def _execute(url: str, sql: str, **params: object) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql), params)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_first_release_tokens_survive_the_accounts_migration(backend: str,
                                                             tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        url = (stack.enter_context(temporary_postgres("pso_migration")) if backend == "postgres"
               else f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
        upgrade(url, "0004")
        token = new_token()
        asyncio.run(_execute(
            url, "INSERT INTO users (name, role, token_hash, created_at) "
                 "VALUES ('Oude beheerder', 'admin', :h, CURRENT_TIMESTAMP)",
            h=hash_token(token)))
        upgrade(url)
        app = create_app(Settings.from_env({"PSO_DATABASE_URL": url, "PSO_ENV": "test",
                                            "PSO_RATE_LIMIT": "0"}))
        with TestClient(app) as client:
            events = client.get("/api/v1/audit-events",
                                headers={"Authorization": f"Bearer {token}"})
            assert events.status_code == 200, events.text
        command.downgrade(alembic_config(url), "0004")
        upgrade(url)
