"""Delivering the outbox through a real SMTP server (aiosmtplib).

`send_pending` claims due mails (see outbox.claim), sends them over one connection, and
marks each `sent` in its own short transaction as soon as the server accepted it. A
failure puts the mail back with a back-off (or `failed` for a permanent 5xx refusal).
The only window in which a mail could go out twice is a crash between the server's
"250 OK" and that one-row commit; the Message-ID stays the same, so receivers can tell.

`MailSender` is the background task `pso serve` runs when PSO_SMTP_URL is set: it sends
whatever is due every PSO_MAIL_POLL_SECONDS, and at once after a commit that queued mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pso.db.base import utcnow
from pso.db.models import OutboxMail
from pso.mail import outbox
from pso.settings import Settings

log = logging.getLogger("pso.mail")

BATCH = 10
SMTP_TIMEOUT = 30.0
# Stop sending a batch well before its claim lease could run out.
_BATCH_BUDGET = outbox.CLAIM_LEASE.total_seconds() - 2 * SMTP_TIMEOUT


def new_holder() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class SmtpTarget:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool | None


def smtp_target(url: str) -> SmtpTarget:
    """smtp://host:port (STARTTLS when offered; required when a user is given),
    smtps://user:pass@host:465 (TLS from the first byte)."""
    parts = urlsplit(url)
    implicit = parts.scheme == "smtps"
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return SmtpTarget(
        hostname=parts.hostname or "localhost",
        port=parts.port or (465 if implicit else 587),
        username=username,
        password=password,
        use_tls=implicit,
        # Never send a password in the clear: with credentials STARTTLS is required.
        start_tls=False if implicit else (True if username else None),
    )


def build_message(mail: OutboxMail, sender: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "pso.localhost"
    message["Message-ID"] = f"<{mail.key}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    # After the parts exist: set_content() clears every Content-* header and
    # add_alternative() moves them into the first part.
    for part in (message, *message.iter_parts()):
        part["Content-Language"] = "nl"
    return message


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(r.code >= 500 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return exc.code >= 500 and not isinstance(exc, aiosmtplib.SMTPServerDisconnected)
    return False


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()


async def send_pending(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings, *,
    now: datetime | None = None, holder: str | None = None, limit: int = BATCH,
    should_stop: Callable[[], bool] = lambda: False,
) -> SendReport:
    """Deliver every mail that is due (at `now`, default the real time) and return what
    happened. Safe to run in several processes at once: each mail goes to one of them."""
    if not settings.smtp_url:
        raise RuntimeError("PSO_SMTP_URL is not set: mail stays in the outbox")
    holder = holder or new_holder()
    report = SendReport()
    target = smtp_target(settings.smtp_url)
    while not should_stop():
        moment = now or utcnow()
        mails = await outbox.claim(session_maker, holder, moment, limit)
        if not mails:
            break
        reached = await _deliver(session_maker, settings, target, mails, holder, moment,
                                 report, should_stop)
        if not reached or len(mails) < limit:
            break
    return report


async def _deliver(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings, target: SmtpTarget,
    mails: list[OutboxMail], holder: str, now: datetime, report: SendReport,
    should_stop: Callable[[], bool],
) -> bool:
    """Send `mails` over one connection; False when the server could not be reached."""
    started = time.monotonic()
    smtp = aiosmtplib.SMTP(
        hostname=target.hostname, port=target.port, username=target.username,
        password=target.password, use_tls=target.use_tls, start_tls=target.start_tls,
        timeout=SMTP_TIMEOUT,
    )
    try:
        await smtp.connect()
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        # The server is unreachable (or refuses us): every claimed mail waits and retries.
        error = f"SMTP-server {target.hostname}:{target.port}: {_describe(exc)}"
        log.warning("mail not sent, will retry: %s", error)
        report.errors.append(error)
        for mail in mails:
            await _failed(session_maker, mail, holder, now, error, report, permanent=False)
        return False
    try:
        for index, mail in enumerate(mails):
            if should_stop() or time.monotonic() - started > _BATCH_BUDGET:
                await outbox.release(session_maker, mails[index:], holder)
                return True
            try:
                await smtp.send_message(build_message(mail, settings.mail_from, utcnow()))
            except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
                error = _describe(exc)
                report.errors.append(error)
                permanent = _permanent(exc)
                await _failed(session_maker, mail, holder, now, error, report, permanent)
                if not smtp.is_connected:  # the connection is gone: the rest waits
                    await outbox.release(session_maker, mails[index + 1:], holder)
                    return False
                continue
            await outbox.mark_sent(session_maker, mail, holder)
            report.sent += 1
        return True
    finally:
        if smtp.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
                await smtp.quit()


async def _failed(session_maker, mail, holder, now, error, report, permanent) -> None:
    status = await outbox.mark_failed(session_maker, mail, holder, now, error,
                                      permanent=permanent)
    if status == "failed":
        report.failed += 1
        log.error("mail %s to %s given up: %s", mail.id, mail.to_address, error)
    else:
        report.retrying += 1


class MailSender:
    """The outbox sender as a background task of the running service."""

    def __init__(self, session_maker: async_sessionmaker[AsyncSession], settings: Settings):
        self.session_maker, self.settings = session_maker, settings
        self.holder = new_holder()
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        outbox.add_waker(self._wake)
        self._task = asyncio.create_task(self._run(), name="pso-mail-sender")

    async def stop(self, grace: float = 15.0) -> None:
        """Let the mail being sent finish (so it is marked), then stop."""
        self._stopping = True
        self._wake.set()
        outbox.remove_waker(self._wake)
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, grace)
            except (TimeoutError, asyncio.CancelledError):
                pass

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await send_pending(self.session_maker, self.settings, holder=self.holder,
                                   should_stop=lambda: self._stopping)
            except Exception:  # the database may be away for a moment: try again later
                log.exception("mail sender round failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.mail_poll_seconds)
