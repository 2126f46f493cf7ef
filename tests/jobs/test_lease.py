"""The lease's time rules (pso/jobs/lease.py), found by mutation testing (docs/testing.md):
a lease is held up to and including its expiry instant, and a day's scheduled run is not
repeated for an earlier day after the clock was set back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pso.db.base import utcnow
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
