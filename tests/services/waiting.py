"""Race tests on PostgreSQL: wait until another session's statement waits for a row lock."""

from __future__ import annotations

import asyncio
import time

import anyio
from sqlalchemy import text


async def until_waiting_for_a_lock_or(session_maker, done: anyio.Event) -> bool:
    """True once a statement of this database waits for a lock; False when `done` is set
    first (the other request got through without waiting)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not done.is_set():
        async with session_maker() as session:
            waiting = await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return True
        await asyncio.sleep(0.01)
    assert done.is_set(), "the other request neither waited for a lock nor finished"
    return False
