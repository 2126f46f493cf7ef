"""Migration 0009 on a database with certificates from before it: every PSO 30+
certificate is linked to its ladder certificate and takes over its suspension, revocation
and supersession; and the migration can be undone (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.auth import SYSTEM, Actor
from pso.clock import today
from pso.db.engine import make_engine
from pso.db.migrate import alembic_config, upgrade
from pso.db.models import Certificate
from pso.services import certification, organizations, register
from pso.services.register import status_of
from tests.conftest import BACKENDS
from tests.databases import temporary_postgres
from tests.factories import submission

REVIEWER = Actor(None, "beoordelaar", "auditor")


async def _certify(url: str) -> list[str]:
    """Two organisations with a ladder and a 30+ certificate each; one ladder suspended,
    one revoked; then the 30+ certificates are made to look as before issue 13."""
    engine = make_engine(url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    numbers = []
    try:
        async with maker() as session, session.begin():
            for kvk in ("70000001", "70000002"):
                await organizations.create(session, SYSTEM, {
                    "kvk": kvk, "name": f"Org {kvk}", "municipality_code": "GM0363",
                    "kind": "company"})
                a = await certification.create(session, SYSTEM, kvk, submission(7))
                await certification.submit(session, SYSTEM, a.id)
                await certification.review(session, REVIEWER, a.id)
                await certification.complete_review(session, REVIEWER, a.id)
                a = await certification.decide(
                    session, SYSTEM, a.id, outcome="approved", reason=None,
                    corrected_submission=None, valid_from=today() - timedelta(days=5),
                    issuer="Oud", public_url="http://127.0.0.1")
                numbers += [c.number for c in a.certificates]
            await register.suspend(session, SYSTEM, numbers[0], "onderzoek")
            await register.revoke(session, SYSTEM, numbers[2], "fraude")
        async with engine.begin() as conn:  # undo what issue 13 did for the 30+ certificates
            await conn.execute(text("DELETE FROM certificate_suspensions WHERE follows_ladder"))
            await conn.execute(text("UPDATE certificates SET revoked_on = NULL, "
                                    "revocation_reason = NULL WHERE kind = 'pso30plus'"))
    finally:
        await engine.dispose()
    return numbers


async def _statuses(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine)() as session:
            rows = await session.scalars(select(Certificate))
            return {c.number: status_of(c, today()) for c in rows}
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_existing_30plus_certificates_follow_their_ladder(backend: str, tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        url = (stack.enter_context(temporary_postgres("pso_migration_0009"))
               if backend == "postgres" else f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
        upgrade(url)
        ladder1, plus1, ladder2, plus2 = asyncio.run(_certify(url))
        before = asyncio.run(_statuses(url))
        assert (before[ladder1], before[plus1]) == ("suspended", "valid")  # the old bug
        command.downgrade(alembic_config(url), "0007")
        upgrade(url)
        after = asyncio.run(_statuses(url))
        assert after == {ladder1: "suspended", plus1: "suspended",
                         ladder2: "revoked", plus2: "revoked"}
