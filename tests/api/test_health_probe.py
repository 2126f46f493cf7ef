"""The readiness probe's database check (pso.db.probe): probes that arrive together share
one `SELECT 1`, a later probe checks again, and a database that does not answer is reported
as unreachable, never as an error."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event

from pso.db.engine import make_engine, make_sqlite_reader
from pso.db.probe import DatabaseProbe

pytestmark = pytest.mark.anyio


def counted(probe: DatabaseProbe) -> list[str]:
    """The statements the probe's database connections run, as they run."""
    seen: list[str] = []
    target = probe.reader if probe.reader is not None else probe.engine.sync_engine
    event.listen(target, "before_cursor_execute",
                 lambda _c, _cur, statement, *_rest: seen.append(statement))
    return seen


async def test_probes_that_arrive_together_share_one_check(database_url: str) -> None:
    engine = make_engine(database_url)
    probe = DatabaseProbe(engine, make_sqlite_reader(database_url))
    try:
        statements = counted(probe)
        answers = await asyncio.gather(*(probe.reachable() for _ in range(20)))
        assert answers == [True] * 20
        assert statements.count("SELECT 1") == 1
        # The answer is not kept: the next probe asks the database again.
        assert await probe.reachable() is True
        assert statements.count("SELECT 1") == 2
    finally:
        await engine.dispose()
        if probe.reader is not None:
            probe.reader.dispose()


@pytest.mark.parametrize("url", [
    "postgresql+asyncpg://postgres@127.0.0.1:1/nothing",  # nothing listens on port 1
    "sqlite+aiosqlite:////nonexistent-folder/pso.sqlite3",
])
async def test_a_database_that_does_not_answer_is_unreachable(url: str) -> None:
    engine = make_engine(url)
    probe = DatabaseProbe(engine, make_sqlite_reader(url))
    try:
        assert await asyncio.gather(*(probe.reachable() for _ in range(5))) == [False] * 5
        assert await probe.reachable() is False
    finally:
        await engine.dispose()
