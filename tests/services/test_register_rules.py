"""Rules of the register service (pso/services/register.py) found by
`make mutate MODULES=pso/services/register.py`, on the service itself, both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pso.clock import today
from pso.services import register
from tests.jobs import data

pytestmark = pytest.mark.anyio


async def test_the_register_export_starts_at_the_first_certificate(session_maker) -> None:
    """`export_batches` reads every certificate by key from the first page on (its first
    batch relies on `search_now`'s default of page 1: page 0 is a negative offset, which
    SQLite reads as 0 and PostgreSQL refuses)."""
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "12345678", people=0)
        for i in range(1, 6):
            await data.certificate(
                session, org, f"PSO-2026-00000{i}", today() + timedelta(days=300 + i)
            )
    async with session_maker() as session:
        batches = [
            [row.number for row in rows]
            async for rows in register.export_batches(
                session, batch=2, q=None, kvk=None, rung=None, status=None
            )
        ]
    assert [len(b) for b in batches] == [2, 2, 1]
    assert sorted(n for b in batches for n in b) == [f"PSO-2026-00000{i}" for i in range(1, 6)]
