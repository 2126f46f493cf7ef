"""The readiness probe's database check (GET /api/v1/health).

A load balancer probes often and, during a burst, many times at once; the probe must answer
"ok" while the database is up, whatever the writers do, and cost little. So:

- it never takes a write lock: on an SQLite file it reads `SELECT 1` on the synchronous
  read-only reader (pso.db.engine.make_sqlite_reader; a WAL reader does not wait for
  writers), on PostgreSQL in autocommit (one round trip, no BEGIN/ROLLBACK);
- probes that arrive while a check runs share that check's answer instead of each starting
  one (an answer is never older than the request that asked for it, minus one check); a
  database that hangs is then one waiting check, not a pile of them.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine

from pso.db.engine import reading

TIMEOUT_SECONDS = 3.0
_SELECT_1 = text("SELECT 1")


class DatabaseProbe:
    def __init__(self, engine: AsyncEngine, reader: Engine | None) -> None:
        self.engine = engine
        self.reader = reader
        # The check in flight, per event loop (tests run one app in several loops).
        self._running: dict[asyncio.AbstractEventLoop, asyncio.Future[bool]] = {}

    async def reachable(self) -> bool:
        """True when the database answered `SELECT 1` within TIMEOUT_SECONDS."""
        loop = asyncio.get_running_loop()
        running = self._running.get(loop)
        if running is None:
            running = self._running[loop] = loop.create_task(self._check())
            running.add_done_callback(lambda _done: self._running.pop(loop, None))
        # shield: a probe whose client went away must not cancel the others' answer
        return await asyncio.shield(running)

    async def _check(self) -> bool:
        try:
            if self.reader is not None:
                with self.reader.connect() as conn:
                    conn.execute(_SELECT_1)
                return True
            await asyncio.wait_for(self._select_1(), timeout=TIMEOUT_SECONDS)
            return True
        except Exception:  # noqa: BLE001 - any failure means: not reachable for us
            return False

    async def _select_1(self) -> None:
        async with reading(self.engine) as conn:
            await conn.execute(_SELECT_1)
