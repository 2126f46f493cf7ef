"""The outbox table: queueing in the caller's transaction, claiming and marking for the
sender, and the read side for /dev/mail and `pso mail outbox`."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from pso.db.base import utcnow
from pso.db.models import OutboxMail
from pso.mail.render import render

# A claimed mail belongs to its sender for this long; a sender that crashed gives its
# mails back when the lease passes. Sending one batch must take less (see sender.py).
CLAIM_LEASE = timedelta(minutes=15)
# Back-off after a failed attempt: 30 s, 1 min, 2 min, … capped at one hour; after
# MAX_ATTEMPTS failures (about a day and a half) the mail is given up as `failed`.
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 40

_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
_QUEUED_FLAG = "pso_mail_queued"
_wakers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

_public_url = "http://127.0.0.1:8000"


def configure(public_url: str) -> None:
    """The base of the links in mails (PSO_PUBLIC_URL); set by the app factory and the CLI."""
    global _public_url
    _public_url = public_url.rstrip("/")


def public_url() -> str:
    return _public_url


def valid_address(address: str) -> bool:
    return len(address) <= 320 and bool(_ADDRESS.match(address))


async def queue_mail(
    session: AsyncSession, *, to: str, template: str, context: dict[str, Any]
) -> OutboxMail:
    """Render `templates/mail/<template>.txt/.html` and add it to the outbox inside the
    caller's transaction (flush only): the mail exists if, and only if, the caller commits."""
    address = to.strip()
    if not valid_address(address):
        raise ValueError(f"not an e-mail address: {to!r}")
    mail = render(template, {"public_url": _public_url, **context})
    row = OutboxMail(
        key=uuid.uuid4().hex, template=template, to_address=address, subject=mail.subject,
        text_body=mail.text, html_body=mail.html, status="queued", attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    session.info[_QUEUED_FLAG] = True
    return row


# --- waking the sender after a commit that queued mail -------------------------------


def add_waker(event_: asyncio.Event) -> None:
    _wakers.add((asyncio.get_running_loop(), event_))


def remove_waker(event_: asyncio.Event) -> None:
    for pair in [p for p in _wakers if p[1] is event_]:
        _wakers.discard(pair)


@event.listens_for(Session, "after_commit")
def _wake_senders(session: Session) -> None:
    if session.info.pop(_QUEUED_FLAG, False):
        for loop, waker in list(_wakers):
            if not loop.is_closed():
                loop.call_soon_threadsafe(waker.set)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_QUEUED_FLAG, None)


# --- the sender's side ---------------------------------------------------------------


# The doublings stop at 20 only to keep 2 ** n small: the cap is reached at the 8th failure.
_MOST_DOUBLINGS = 20  # pragma: no mutate: NumberReplacer (19 or 21: past the cap either way)


def backoff(failures: int) -> timedelta:
    """The wait after the `failures`-th failed attempt (1, 2, …)."""
    return min(BACKOFF_FIRST * 2 ** min(failures - 1, _MOST_DOUBLINGS), BACKOFF_CAP)


async def claim(
    session_maker: async_sessionmaker[AsyncSession], holder: str, now: datetime, limit: int
) -> list[OutboxMail]:
    """Take up to `limit` due mails for `holder` in one short transaction.

    PostgreSQL: `FOR UPDATE SKIP LOCKED`, so concurrent senders take different rows.
    SQLite: the transaction starts with BEGIN IMMEDIATE (pso.db.engine), which serialises
    claimers. A claimed row is skipped by everyone else until its lease has passed."""
    async with session_maker() as session, session.begin():
        due = (
            select(OutboxMail.id)
            .where(OutboxMail.status == "queued", OutboxMail.next_attempt_at <= now,
                   or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now))
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            .limit(limit)
        )
        # pragma: no mutate: Eq_LtE ("sqlite" sorts after "postgresql": the same two answers)
        if (await session.connection()).dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)  # pragma: no mutate (docs/testing.md)
        ids = list(await session.scalars(due))
        if not ids:
            return []
        await session.execute(
            update(OutboxMail).where(OutboxMail.id.in_(ids))
            .values(claimed_by=holder, claimed_until=now + CLAIM_LEASE)
        )
        rows = list(await session.scalars(
            select(OutboxMail).where(OutboxMail.id.in_(ids)).order_by(OutboxMail.id)
        ))
        session.expunge_all()  # plain data for the sender, whatever expire_on_commit says
        return rows


async def mark_sent(session_maker: async_sessionmaker[AsyncSession], mail: OutboxMail,
                    holder: str) -> None:
    async with session_maker() as session, session.begin():
        await session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail.id, OutboxMail.claimed_by == holder)
            .values(status="sent", sent_at=utcnow(), attempts=OutboxMail.attempts + 1,
                    claimed_by=None, claimed_until=None, last_error=None)
        )


async def mark_failed(
    session_maker: async_sessionmaker[AsyncSession], mail: OutboxMail, holder: str,
    now: datetime, error: str, *, permanent: bool = False,
) -> str:
    """Record a failed attempt: back to `queued` after a back-off, or `failed` for good.
    Returns the new status."""
    failures = mail.attempts + 1
    # pragma: no mutate: GtE_Eq (attempts grow by one and a failed mail is not claimed again)
    status = "failed" if permanent or failures >= MAX_ATTEMPTS else "queued"
    async with session_maker() as session, session.begin():
        await session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail.id, OutboxMail.claimed_by == holder)
            .values(status=status, attempts=failures, next_attempt_at=now + backoff(failures),
                    last_error=error[:2000], claimed_by=None, claimed_until=None)
        )
    return status


async def release(session_maker: async_sessionmaker[AsyncSession],
                  mails: Sequence[OutboxMail], holder: str) -> None:
    """Give claimed mails back unattempted (the sender stops or lost its connection)."""
    if not mails:
        return
    async with session_maker() as session, session.begin():
        await session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_([m.id for m in mails]), OutboxMail.claimed_by == holder)
            .values(claimed_by=None, claimed_until=None)
        )


# --- reading ---------------------------------------------------------------------------


async def recent(session: AsyncSession, *, status: str | None = None,
                 limit: int = 100) -> list[OutboxMail]:
    query = select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMail.status == status)
    return list(await session.scalars(query))
