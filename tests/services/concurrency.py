"""Two real sessions at once, for the row locks of the services (`with_for_update`): the
first holds an application's row lock in an open transaction while a second session acts on
the same row. SQLite runs one writer at a time (BEGIN IMMEDIATE), so there the second simply
runs after the first's commit; the race itself exists on PostgreSQL only."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pso.errors import ProblemError

Action = Callable[[AsyncSession], Awaitable[Any]]


async def attempt(session: AsyncSession, action: Action) -> Any:
    """The action's result after a commit, or the refusal it raised (rolled back)."""
    try:
        result = await action(session)
        await session.commit()
        return result
    except ProblemError as refusal:
        await session.rollback()
        return refusal


async def meanwhile(session_maker, backend: str, hold: Action, action: Action) -> Any:
    """Run `hold` in a first transaction and keep it open; on PostgreSQL start `action` in a
    second session, wait until it either waits for a lock the first holds or is done, then
    commit the first; answer what `action` gave (its result or its refusal)."""
    return (await race(session_maker, backend, hold, action))[0]


async def race(session_maker, backend: str, hold: Action, action: Action) -> tuple[Any, bool]:
    """`meanwhile`, answering (what `action` gave, whether it waited for the first's lock):
    a reader that must not queue behind a change asserts it did not wait."""
    async with session_maker() as first, session_maker() as second:
        await hold(first)
        if backend != "postgres":
            await first.commit()
            return await attempt(second, action), False
        pid = await second.scalar(text("SELECT pg_backend_pid()"))
        task = asyncio.create_task(attempt(second, action))
        try:
            waited = await until_waiting_or_done(session_maker, pid, task)
        finally:
            await first.commit()
        return await task, waited


async def until_waiting_or_done(session_maker, pid: int, task: asyncio.Task[Any]) -> bool:
    """True once the backend `pid` waits for a lock another transaction holds; False when
    `task` ended first (it never needed one)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if task.done():
            return False
        async with session_maker() as session:
            blocked = await session.scalar(
                text("SELECT cardinality(pg_blocking_pids(:pid))"), {"pid": pid}
            )
        if blocked:
            return True
        await asyncio.sleep(0.01)
    raise AssertionError("the second session neither waited for a lock nor finished")
