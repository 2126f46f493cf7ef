"""Holder checks of every lease and claim (pso/jobs/lease.py, pso/mail/outbox.py): a holder
whose lease passed and was taken by another cannot release, renew, send or fail what the
other now holds. Both databases."""

from __future__ import annotations

import asyncio
import contextvars
from datetime import timedelta

import anyio
import pytest
from sqlalchemy import event, select
from sqlalchemy.util import await_only

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


_CLAIMER: contextvars.ContextVar[str] = contextvars.ContextVar("claimer", default="")


async def test_two_senders_claiming_at_once_never_take_the_same_mail(
    session_maker, backend
) -> None:
    """The outbox's claim under a real race: on PostgreSQL the second sender selects while
    the first has claimed and not yet committed; `FOR UPDATE SKIP LOCKED` makes it pass
    those mails by (without it both would claim, and send, the same mails). SQLite runs the
    claims one at a time (BEGIN IMMEDIATE)."""
    async with session_maker() as session, session.begin():
        for i in range(3):
            await outbox.queue_mail(
                session,
                to=f"iemand{i}@example.nl",
                template="password_reset",
                context={"name": "I", "link": "https://x", "valid_until": "1 uur"},
            )
    now = utcnow() + timedelta(seconds=1)
    first_claimed, second_selected = anyio.Event(), anyio.Event()
    engine = session_maker.kw["bind"].sync_engine

    def selecting(conn, cursor, statement, *args) -> None:
        if _CLAIMER.get() == "b" and statement.lstrip().startswith("SELECT"):
            second_selected.set()  # sent (it may wait for a's locks)

    def updated(conn, cursor, statement, *args) -> None:
        if _CLAIMER.get() == "a" and statement.lstrip().startswith("UPDATE"):
            first_claimed.set()
            # Commit only once the other sender has looked for due mail.
            await_only(asyncio.wait_for(second_selected.wait(), 30))

    claims: dict[str, list[int]] = {}

    async def claim(name: str) -> None:
        _CLAIMER.set(name)
        claims[name] = [m.id for m in await outbox.claim(session_maker, name, now, 10)]

    if backend == "postgres":
        event.listen(engine, "before_cursor_execute", selecting)
        event.listen(engine, "after_cursor_execute", updated)
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(claim, "a")
            if backend == "postgres":
                await first_claimed.wait()
            group.start_soon(claim, "b")
    finally:
        if backend == "postgres":
            event.remove(engine, "before_cursor_execute", selecting)
            event.remove(engine, "after_cursor_execute", updated)
    assert not set(claims["a"]) & set(claims["b"])
    assert sorted(claims["a"] + claims["b"]) == [m.id for m in await _all(session_maker)]


async def _all(session_maker) -> list[OutboxMail]:
    async with session_maker() as session:
        return list(await session.scalars(select(OutboxMail).order_by(OutboxMail.id)))
