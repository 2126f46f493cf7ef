"""The lease's time rules (pso/jobs/lease.py), found by mutation testing (docs/testing.md):
a lease is held up to and including its expiry instant, and a day's scheduled run is not
repeated for an earlier day after the clock was set back; of two first acquisitions in a race
one wins."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from pso.db.base import utcnow
from pso.db.models import JobLease
from pso.jobs import lease

pytestmark = pytest.mark.anyio

TTL = timedelta(minutes=5)


async def test_a_lease_is_held_until_its_expiry_instant_has_passed(session_maker) -> None:
    now = utcnow()
    assert await lease.acquire(session_maker, "job", "a", now, TTL)
    assert not await lease.acquire(session_maker, "job", "b", now + TTL, TTL)  # not passed yet
    assert (await lease.state(session_maker, "job")).holder == "a"
    assert await lease.acquire(
        session_maker, "job", "b", now + TTL + timedelta(microseconds=1), TTL
    )


async def test_a_days_run_is_not_repeated_for_that_day_or_an_earlier_one(session_maker) -> None:
    now = utcnow()
    today = now.date()
    assert await lease.acquire(session_maker, "job", "a", now, TTL, not_run_on=today)
    await lease.release(session_maker, "job", "a", now, completed_day=today)
    assert not await lease.acquire(session_maker, "job", "b", now, TTL, not_run_on=today)
    # The clock set back a day: yesterday was not run before today's run; do not run it now.
    yesterday = today - timedelta(days=1)
    assert not await lease.acquire(session_maker, "job", "b", now, TTL, not_run_on=yesterday)
    assert await lease.acquire(
        session_maker, "job", "b", now, TTL, not_run_on=today + timedelta(days=1)
    )


async def test_renewing_answers_whether_the_lease_is_still_ours(session_maker) -> None:
    now = utcnow()
    assert not await lease.renew(session_maker, "job", "a", now, TTL)  # no lease at all
    assert await lease.acquire(session_maker, "job", "a", now, TTL)
    assert await lease.renew(session_maker, "job", "a", now + TTL, TTL)
    assert (await lease.state(session_maker, "job")).expires_at == now + 2 * TTL


@pytest.mark.parametrize(("lapsed", "holder"), [("a", "b"), ("b", "a")])
async def test_only_the_holder_renews_or_releases_whatever_the_names(
    session_maker, lapsed: str, holder: str
) -> None:
    # Both orders of the names: a holder check written as `<=` or `>=` passes one of them.
    now = utcnow()
    assert await lease.acquire(session_maker, "job", lapsed, now, TTL)
    later = now + TTL + timedelta(seconds=1)
    assert await lease.acquire(session_maker, "job", holder, later, TTL)
    assert not await lease.renew(session_maker, "job", lapsed, later, TTL)
    await lease.release(session_maker, "job", lapsed, later)
    held = await lease.state(session_maker, "job")
    assert (held.holder, held.expires_at) == (holder, later + TTL)


@pytest.mark.parametrize(("mine", "other"), [("a-job", "b-job"), ("b-job", "a-job")])
async def test_one_holders_two_jobs_are_taken_renewed_and_released_one_at_a_time(
    session_maker, mine: str, other: str
) -> None:
    # Both orders of the names: a name check written as `<=` or `>=` reaches the other row.
    now = utcnow()
    assert await lease.acquire(session_maker, other, "x", now, TTL)
    await lease.release(session_maker, other, "x", now)
    assert await lease.acquire(session_maker, mine, "x", now, TTL)
    assert (await lease.state(session_maker, other)).holder is None  # still free
    assert await lease.acquire(session_maker, other, "x", now, TTL)
    assert await lease.renew(session_maker, mine, "x", now + TTL, TTL)
    await lease.release(session_maker, mine, "x", now)
    held = await lease.state(session_maker, other)
    assert (held.holder, held.expires_at) == ("x", now + TTL)


async def _until_a_statement_waits_for_a_lock(session_maker) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        async with session_maker() as session:
            waiting = await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the second INSERT never waited for the first")


@pytest.mark.parametrize("backend", ["postgres"])  # SQLite runs one writer at a time: no race
async def test_of_two_first_acquisitions_at_once_the_second_insert_loses(session_maker) -> None:
    now = utcnow()
    async with session_maker() as first, first.begin():
        first.add(JobLease(name="job", holder="b", expires_at=now + TTL, last_started_at=now))
        await first.flush()  # b's first row, not committed: a's UPDATE and SELECT miss it
        second = asyncio.create_task(lease.acquire(session_maker, "job", "a", now, TTL))
        await _until_a_statement_waits_for_a_lock(session_maker)  # a's INSERT waits for b
    assert await second is False  # the primary key refused a's INSERT once b committed
    assert (await lease.state(session_maker, "job")).holder == "b"
