"""The outbox's rules at their edges (pso/mail/outbox.py), found by mutation testing
(docs/testing.md): which mails a sender may claim and until when, the back-off and the
give-up after MAX_ATTEMPTS, and the size limits of an address and a stored error."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from pso.db.base import utcnow
from pso.db.models import OutboxMail
from pso.mail import outbox

pytestmark = pytest.mark.anyio


async def _queue(session_maker, count: int) -> None:
    async with session_maker() as session, session.begin():
        for i in range(count):
            await outbox.queue_mail(
                session,
                to=f"iemand{i}@example.nl",
                template="password_reset",
                context={"name": "Iemand", "link": "https://pso.example/x", "valid_until": "1 uur"},
            )


async def _rows(session_maker) -> list[OutboxMail]:
    async with session_maker() as session:
        return list(await session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_an_address_has_at_most_320_characters() -> None:
    local = "a" * 64
    domain = "b" * (320 - 64 - 1 - 3) + ".nl"
    assert outbox.valid_address(f"{local}@{domain}")  # exactly 320
    assert not outbox.valid_address(f"{local}a@{domain}")


def test_backoff_doubles_from_30_seconds_up_to_an_hour() -> None:
    assert [outbox.backoff(n) for n in (1, 2, 3, 7)] == [
        timedelta(seconds=s) for s in (30, 60, 120, 1920)
    ]
    assert outbox.backoff(8) == outbox.backoff(1000) == timedelta(hours=1)


async def test_only_queued_mail_that_is_due_and_not_claimed_is_claimed(session_maker) -> None:
    await _queue(session_maker, 3)
    due = utcnow() + timedelta(minutes=1)
    async with session_maker() as session, session.begin():
        await session.execute(update(OutboxMail).values(next_attempt_at=due))
    assert await outbox.claim(session_maker, "s", due - timedelta(microseconds=1), 10) == []
    sent, failed, waiting = await outbox.claim(session_maker, "s", due, 10)  # due at that instant
    await outbox.mark_sent(session_maker, sent, "s")
    await outbox.mark_failed(session_maker, failed, "s", due, "weg", permanent=True)
    await outbox.release(session_maker, [waiting], "s")
    [again] = await outbox.claim(session_maker, "t", due + timedelta(days=1), 10)
    assert again.id == waiting.id  # neither the sent nor the failed mail comes back
    # The claim is t's up to and including the instant its lease ends.
    until = due + timedelta(days=1) + timedelta(minutes=15)  # the lease, written out
    assert await outbox.claim(session_maker, "u", until, 10) == []
    [taken] = await outbox.claim(session_maker, "u", until + timedelta(microseconds=1), 10)
    assert (taken.id, taken.claimed_by) == (waiting.id, "u")


async def test_the_fortieth_failure_gives_up_and_the_error_is_kept_to_2000_characters(
    session_maker,
) -> None:
    await _queue(session_maker, 1)
    now = utcnow() + timedelta(seconds=1)
    [mail] = await outbox.claim(session_maker, "s", now, 10)
    mail.attempts = 38  # written out: the 40th failure, not whatever the constant says
    assert await outbox.mark_failed(session_maker, mail, "s", now, "x" * 3000) == "queued"
    [row] = await _rows(session_maker)
    assert (row.attempts, len(row.last_error)) == (39, 2000)
    assert row.next_attempt_at == now + timedelta(hours=1)
    [mail] = await outbox.claim(session_maker, "s", now + timedelta(hours=1), 10)
    assert await outbox.mark_failed(session_maker, mail, "s", now, "kapot") == "failed"
    [row] = await _rows(session_maker)
    assert (row.status, row.attempts, row.claimed_by) == ("failed", 40, None)


async def test_only_a_commit_that_queued_mail_wakes_the_senders_still_listening(
    session_maker,
) -> None:
    kept, removed = asyncio.Event(), asyncio.Event()
    outbox.add_waker(kept)
    outbox.add_waker(removed)
    outbox.remove_waker(removed)
    try:
        async with session_maker() as session:
            async with session.begin():
                await outbox.queue_mail(
                    session,
                    to="iemand@example.nl",
                    template="password_reset",
                    context={"name": "I", "link": "https://x", "valid_until": "1 uur"},
                )
                await session.rollback()  # the mail is gone: nothing to wake for
            async with session.begin():
                pass  # a later commit without mail in the same session
        await asyncio.sleep(0)  # let call_soon_threadsafe callbacks run, if any were made
        assert not kept.is_set()
        await _queue(session_maker, 1)
        await asyncio.wait_for(kept.wait(), timeout=10)
        assert not removed.is_set()
    finally:
        outbox.remove_waker(kept)


async def test_recent_lists_the_newest_first_by_status(session_maker) -> None:
    await _queue(session_maker, 3)
    [first] = await outbox.claim(session_maker, "s", utcnow() + timedelta(seconds=1), 1)
    await outbox.mark_sent(session_maker, first, "s")
    async with session_maker() as session:
        newest = await outbox.recent(session, limit=2)
        sent = await outbox.recent(session, status="sent")
        every = await outbox.recent(session)
    assert [m.to_address for m in newest] == ["iemand2@example.nl", "iemand1@example.nl"]
    assert [m.id for m in sent] == [first.id]
    assert len(every) == 3


@pytest.mark.parametrize(("lapsed", "holder"), [("a", "b"), ("b", "a")])
async def test_only_the_claims_holder_marks_or_releases_it_whatever_the_names(
    session_maker, lapsed: str, holder: str
) -> None:
    # Both orders of the names: a holder check written as `<=` or `>=` passes one of them.
    await _queue(session_maker, 1)
    now = utcnow() + timedelta(seconds=1)
    [old] = await outbox.claim(session_maker, lapsed, now, 10)
    later = now + outbox.CLAIM_LEASE + timedelta(seconds=1)
    [new] = await outbox.claim(session_maker, holder, later, 10)
    await outbox.mark_sent(session_maker, old, lapsed)
    await outbox.mark_failed(session_maker, old, lapsed, later, "kapot", permanent=True)
    await outbox.release(session_maker, [old], lapsed)
    [row] = await _rows(session_maker)
    assert (row.status, row.claimed_by, row.attempts) == ("queued", holder, 0)
    await outbox.release(session_maker, [new], holder)
    [row] = await _rows(session_maker)
    assert row.claimed_by is None


async def test_marking_one_claimed_mail_leaves_the_senders_other_mails_alone(
    session_maker,
) -> None:
    await _queue(session_maker, 5)
    now = utcnow() + timedelta(seconds=1)
    claimed = await outbox.claim(session_maker, "s", now, 10)
    await outbox.mark_sent(session_maker, claimed[1], "s")
    await outbox.mark_failed(session_maker, claimed[3], "s", now, "kapot", permanent=True)
    rows = await _rows(session_maker)
    assert [(r.status, r.claimed_by) for r in rows] == [
        ("queued", "s"),
        ("sent", None),
        ("queued", "s"),
        ("failed", None),
        ("queued", "s"),
    ]


async def test_recent_lists_the_newest_hundred_by_default(session_maker) -> None:
    await _queue(session_maker, 101)
    async with session_maker() as session:
        shown = await outbox.recent(session)
    assert len(shown) == 100
    assert shown[-1].to_address == "iemand1@example.nl"  # the oldest one left out
