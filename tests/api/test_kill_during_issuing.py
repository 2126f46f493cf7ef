"""A process killed (SIGKILL) while issuing certificates leaves no half-written records.

A child process approves applications in a loop (each approval issues a ladder and a
PSO 30+ certificate, i.e. two PDF renders inside one transaction); it is killed at a
moment of our choosing, and the database must still satisfy every rule, on SQLite and on
PostgreSQL. Then another process continues, and the numbers go on without a gap.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import random
import signal
import time

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.auth import SYSTEM, Actor
from pso.db.engine import make_engine
from pso.services import certification, organizations
from tests.certificate_checks import check_certificates_consistent
from tests.factories import submission

pytestmark = pytest.mark.anyio
REVIEWER = Actor(None, "beoordelaar", "auditor")  # another auditor than the decider (SYSTEM)
KVK = "40000001"


async def _approve_forever(url: str, limit: int, done=None) -> None:
    engine = make_engine(url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    for _ in range(limit):
        async with maker() as session, session.begin():
            assessment = await certification.create(session, SYSTEM, KVK, submission(7))
            await certification.submit(session, SYSTEM, assessment.id)
            await certification.review(session, REVIEWER, assessment.id)
            await certification.complete_review(session, REVIEWER, assessment.id)
        async with maker() as session, session.begin():
            await certification.decide(
                session, SYSTEM, assessment.id, outcome="approved", reason=None,
                corrected_submission=None, valid_from=None, issuer="Test",
                public_url="http://127.0.0.1",
            )
        if done is not None:
            done.value += 1
    await engine.dispose()


def _worker(url: str, limit: int, done) -> None:
    asyncio.run(_approve_forever(url, limit, done))


async def _kill_after(url: str, approvals: int) -> None:
    # Progress comes through shared memory, not the database: on SQLite a polling
    # reader would queue for the same write lock as the worker.
    context = mp.get_context("spawn")
    done = context.Value("i", 0)
    process = context.Process(target=_worker, args=(url, 500, done))
    process.start()
    try:
        deadline = time.monotonic() + 90
        while done.value < approvals:
            assert process.is_alive(), "the approving process stopped by itself"
            assert time.monotonic() < deadline, "the approving process made no progress"
            await asyncio.sleep(0.02)
        # Somewhere inside the next approval (a render takes tens of milliseconds).
        await asyncio.sleep(random.uniform(0.0, 0.08))
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
    assert process.exitcode == -signal.SIGKILL


async def test_sigkill_in_the_middle_of_approvals_leaves_no_half_records(
    database_url, session_maker
) -> None:
    async with session_maker() as session, session.begin():
        await organizations.create(session, SYSTEM, {"kvk": KVK, "name": "Kill B.V.",
                                                     "municipality_code": "GM0200",
                                                     "kind": "company"})
    await _kill_after(database_url, 2)
    first = await check_certificates_consistent(session_maker)
    assert first["certificates"] >= 4 and first["submitted"] <= 1, first

    # A killed PostgreSQL client can hold its row locks until the server notices: the
    # next approvals must still go through and continue the numbering without a gap.
    await asyncio.wait_for(_approve_forever(database_url, 2), timeout=60)
    after = await check_certificates_consistent(session_maker)
    assert after["certificates"] == first["certificates"] + 4, (first, after)
