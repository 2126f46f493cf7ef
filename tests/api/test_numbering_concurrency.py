"""Certificate numbers stay unique and gap-free when two processes approve at once."""

from __future__ import annotations

import asyncio
import multiprocessing as mp

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.auth import SYSTEM, Actor
from pso.clock import today
from pso.db.engine import make_engine
from pso.db.models import Certificate
from pso.services import certification, organizations
from tests.factories import submission

pytestmark = pytest.mark.anyio
REVIEWER = Actor(None, "beoordelaar", "auditor")  # another auditor than the decider (SYSTEM)
PER_PROCESS = 8


async def _approve_many(url: str, kvk: str, count: int) -> None:
    engine = make_engine(url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        for _ in range(count):
            async with maker() as session, session.begin():
                assessment = await certification.create(session, SYSTEM, kvk, submission(2))
                await certification.submit(session, SYSTEM, assessment.id)
                await certification.review(session, REVIEWER, assessment.id)
                await certification.complete_review(session, REVIEWER, assessment.id)
                await certification.decide(
                    session, SYSTEM, assessment.id, outcome="approved", reason=None,
                    corrected_submission=None, valid_from=None, issuer="Test",
                    public_url="http://127.0.0.1",
                )
    finally:
        await engine.dispose()


def _worker(url: str, kvk: str, start: mp.Event) -> None:  # type: ignore[valid-type]
    start.wait(30)
    asyncio.run(_approve_many(url, kvk, PER_PROCESS))


async def test_two_processes_never_share_or_skip_a_number(database_url, session_maker) -> None:
    async with session_maker() as session, session.begin():
        for kvk in ("10000001", "10000002"):
            await organizations.create(session, SYSTEM, {"kvk": kvk, "name": kvk,
                                                         "municipality_code": "GM0200",
                                                         "kind": "company"})
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=_worker, args=(database_url, kvk, start))
               for kvk in ("10000001", "10000002")]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(180)
        assert worker.exitcode == 0
    async with session_maker() as session:
        numbers = list(await session.scalars(select(Certificate.number)))
    year = today().year
    assert sorted(numbers) == [f"PSO-{year}-{i:06d}" for i in range(1, 2 * PER_PROCESS + 1)]
