"""Holder checks of every lease and claim (pso/jobs/lease.py, pso/mail/outbox.py): a holder
whose lease passed and was taken by another cannot release, renew, send or fail what the
other now holds. Both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from pso.db.base import utcnow
from pso.db.models import OutboxMail
from pso.jobs import lease
from pso.mail import outbox

pytestmark = pytest.mark.anyio

TTL = timedelta(minutes=5)


async def test_a_lapsed_job_holder_cannot_release_or_renew_the_new_holders_lease(
        session_maker) -> None:
    now = utcnow()
    assert await lease.acquire(session_maker, "job", "a", now, TTL)
    later = now + TTL + timedelta(seconds=1)
    assert await lease.acquire(session_maker, "job", "b", later, TTL)  # a's lease passed
    await lease.release(session_maker, "job", "a", later, completed_day=later.date())
    assert not await lease.renew(session_maker, "job", "a", later, TTL)
    held = await lease.state(session_maker, "job")
    assert held.holder == "b" and held.expires_at is not None
    assert held.last_run_on is None  # a's release did not mark the day as done
    assert not await lease.acquire(session_maker, "job", "c", later, TTL)
    await lease.release(session_maker, "job", "b", later)
    assert (await lease.state(session_maker, "job")).holder is None


async def test_each_job_has_its_own_lease(session_maker) -> None:
    now = utcnow()
    assert await lease.acquire(session_maker, "a-job", "x", now, TTL)
    assert await lease.acquire(session_maker, "b-job", "y", now, TTL)  # another job's row
    assert (await lease.state(session_maker, "b-job")).holder == "y"
    assert (await lease.state(session_maker, "a-job")).holder == "x"
    # One holder with two jobs: renewing or releasing one leaves the other as it was.
    assert await lease.acquire(session_maker, "c-job", "x", now, TTL)
    before = (await lease.state(session_maker, "a-job")).expires_at
    assert await lease.renew(session_maker, "c-job", "x", now + TTL, TTL)
    assert (await lease.state(session_maker, "a-job")).expires_at == before
    await lease.release(session_maker, "c-job", "x", now)
    assert (await lease.state(session_maker, "a-job")).holder == "x"
    assert (await lease.state(session_maker, "c-job")).holder is None


async def _one_mail(session_maker) -> None:
    async with session_maker() as session, session.begin():
        await outbox.queue_mail(session, to="iemand@example.nl", template="password_reset",
                                context={"name": "Iemand", "link": "https://pso.example/x",
                                         "valid_until": "1 uur"})


async def _row(session_maker) -> OutboxMail:
    async with session_maker() as session:
        return await session.scalar(select(OutboxMail))


async def test_a_lapsed_sender_cannot_overwrite_the_new_senders_claim(session_maker) -> None:
    await _one_mail(session_maker)
    now = utcnow()
    [mail_a] = await outbox.claim(session_maker, "a", now, 10)
    assert await outbox.claim(session_maker, "b", now, 10) == []  # claimed: skipped
    later = now + outbox.CLAIM_LEASE + timedelta(seconds=1)
    [mail_b] = await outbox.claim(session_maker, "b", later, 10)  # a's claim passed
    await outbox.mark_sent(session_maker, mail_a, "a")
    row = await _row(session_maker)
    assert (row.status, row.claimed_by, row.sent_at) == ("queued", "b", None)
    await outbox.mark_failed(session_maker, mail_a, "a", later, "kapot", permanent=True)
    await outbox.release(session_maker, [mail_a], "a")
    row = await _row(session_maker)
    assert (row.status, row.claimed_by, row.attempts) == ("queued", "b", 0)
    await outbox.mark_sent(session_maker, mail_b, "b")
    row = await _row(session_maker)
    assert (row.status, row.claimed_by, row.attempts) == ("sent", None, 1)
