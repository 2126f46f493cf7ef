"""The outbox and its sender against a real SMTP server (aiosmtpd): delivery, the caller's
transaction, outages with back-off, refusals, and two senders sharing one database."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso import mail
from pso.db.base import utcnow
from pso.db.engine import make_engine
from pso.db.models import OutboxMail
from pso.mail import outbox
from pso.mail.render import MailTemplateError

pytestmark = pytest.mark.anyio

CONTEXT = {
    "name": "Ans <b>de Vries</b>", "organization": "Bakkerij & Zonen", "kvk": "12345678",
    "number": "PSO-2026-000007", "kind_label": "Prestatieladder", "months": 3,
    "valid_until": "2026-06-30", "register_link": "http://pso.test/register/PSO-2026-000007",
}


async def queue(session_maker, count: int = 1, to: str = "ans@example.nl") -> list[int]:
    async with session_maker() as session, session.begin():
        rows = [await mail.queue_mail(session, to=to.replace("@", f"{i}@") if count > 1 else to,
                                      template="certificate_expiry", context=CONTEXT)
                for i in range(count)]
        return [r.id for r in rows]


async def rows(session_maker) -> list[OutboxMail]:
    async with session_maker() as session:
        return list(await session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_render_subject_text_and_escaped_html() -> None:
    rendered = mail.render("certificate_expiry", {**CONTEXT, "public_url": "http://pso.test"})
    assert rendered.subject == "Uw PSO-certificaat PSO-2026-000007 verloopt op 30 juni 2026"
    assert rendered.text.startswith("Beste Ans <b>de Vries</b>,")  # plain text: as written
    assert "over drie maanden" in rendered.text
    assert "Ans &lt;b&gt;de Vries&lt;/b&gt;" in rendered.html       # HTML: escaped
    assert "Bakkerij &amp; Zonen" in rendered.html
    assert "<b>de Vries" not in rendered.html
    assert "http://pso.test/register/PSO-2026-000007" in rendered.html
    with pytest.raises(MailTemplateError):
        mail.render("../web/base", CONTEXT)


async def test_queued_only_when_the_callers_transaction_commits(session_maker) -> None:
    async with session_maker() as session, session.begin():
        await mail.queue_mail(session, to="weg@example.nl", template="certificate_expiry",
                              context=CONTEXT)
        await session.rollback()
    assert await rows(session_maker) == []
    await queue(session_maker)
    [row] = await rows(session_maker)
    assert (row.status, row.attempts, row.to_address) == ("queued", 0, "ans@example.nl")
    assert row.subject.startswith("Uw PSO-certificaat PSO-2026-000007")


async def test_bad_address_is_refused(session_maker) -> None:
    async with session_maker() as session, session.begin():
        for bad in ("geen-adres", "a@b", "x@y.nl\r\nBcc: z@q.nl", "a b@c.nl"):
            with pytest.raises(ValueError):
                await mail.queue_mail(session, to=bad, template="certificate_expiry",
                                      context=CONTEXT)


async def test_delivered_once_as_text_and_html(session_maker, settings, mail_server) -> None:
    settings = dataclasses.replace(settings, smtp_url=mail_server.url,
                                   mail_from="PSO-dienst <noreply@pso.test>")
    await queue(session_maker)
    report = await mail.send_pending(session_maker, settings)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [message] = mail_server.messages
    assert message["To"] == "ans@example.nl"
    assert message["From"] == "PSO-dienst <noreply@pso.test>"
    assert message["Subject"] == "Uw PSO-certificaat PSO-2026-000007 verloopt op 30 juni 2026"
    [row] = await rows(session_maker)
    assert message["Message-ID"] == f"<{row.key}@pso.test>"
    assert message.get_content_type() == "multipart/alternative"
    assert "Ans <b>de Vries</b>" in mail_server.text(message)
    assert "Ans &lt;b&gt;de Vries" in mail_server.html(message)
    assert mail_server.links(message)[0] == "http://pso.test/register/PSO-2026-000007"
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 1, None)
    assert row.sent_at is not None
    again = await mail.send_pending(session_maker, settings)
    assert again.sent == 0 and len(mail_server.messages) == 1


async def test_outage_backs_off_then_delivers_exactly_once(
    session_maker, settings, mail_server
) -> None:
    settings = dataclasses.replace(settings, smtp_url=mail_server.url)
    await queue(session_maker, count=3)
    mail_server.stop()
    start = utcnow()
    report = await mail.send_pending(session_maker, settings, now=start)
    assert (report.sent, report.retrying) == (0, 3)
    for row in await rows(session_maker):
        assert (row.status, row.attempts, row.claimed_by) == ("queued", 1, None)
        assert row.next_attempt_at == start + timedelta(seconds=30)
        assert "SMTP-server" in row.last_error
    # Still down a minute later: the second failure waits twice as long.
    await mail.send_pending(session_maker, settings, now=start + timedelta(seconds=31))
    assert {r.attempts for r in await rows(session_maker)} == {2}
    assert {r.next_attempt_at for r in await rows(session_maker)} == {
        start + timedelta(seconds=91)}
    # The server is back, but the back-off has not passed: nothing is attempted.
    mail_server.start()
    early = await mail.send_pending(session_maker, settings, now=start + timedelta(seconds=60))
    assert early.sent == 0 and mail_server.messages == []
    later = await mail.send_pending(session_maker, settings, now=start + timedelta(seconds=92))
    assert later.sent == 3
    assert sorted(m["To"] for m in mail_server.messages) == [
        "ans0@example.nl", "ans1@example.nl", "ans2@example.nl"]
    assert {(r.status, r.attempts, r.last_error) for r in await rows(session_maker)} == {
        ("sent", 3, None)}
    await mail.send_pending(session_maker, settings, now=start + timedelta(hours=5))
    assert len(mail_server.messages) == 3


async def test_temporary_refusal_retries_and_permanent_refusal_gives_up(
    session_maker, settings, mail_server
) -> None:
    settings = dataclasses.replace(settings, smtp_url=mail_server.url)
    await queue(session_maker, count=3)
    mail_server.reject("ans1@example.nl")
    mail_server.refuse_next(1)  # the first DATA gets 451
    start = utcnow()
    report = await mail.send_pending(session_maker, settings, now=start)
    assert (report.sent, report.retrying, report.failed) == (1, 1, 1)
    by_to = {r.to_address: r for r in await rows(session_maker)}
    assert by_to["ans0@example.nl"].status == "queued"
    assert "451" in by_to["ans0@example.nl"].last_error
    assert by_to["ans1@example.nl"].status == "failed"
    assert "550" in by_to["ans1@example.nl"].last_error
    assert by_to["ans2@example.nl"].status == "sent"
    await mail.send_pending(session_maker, settings, now=start + timedelta(minutes=1))
    assert sorted(m["To"] for m in mail_server.messages) == ["ans0@example.nl", "ans2@example.nl"]
    assert {r.status for r in await rows(session_maker)} == {"sent", "failed"}


async def test_a_crashed_senders_claim_comes_back_after_its_lease(
    session_maker, settings, mail_server
) -> None:
    settings = dataclasses.replace(settings, smtp_url=mail_server.url)
    await queue(session_maker)
    start = utcnow()
    claimed = await outbox.claim(session_maker, "crashed-sender", start, 10)
    assert len(claimed) == 1  # ... and the process dies before sending
    report = await mail.send_pending(session_maker, settings, now=start + timedelta(minutes=1))
    assert report.sent == 0 and mail_server.messages == []
    report = await mail.send_pending(
        session_maker, settings, now=start + outbox.CLAIM_LEASE + timedelta(seconds=1))
    assert report.sent == 1 and len(mail_server.messages) == 1


async def test_two_senders_on_one_database_send_each_mail_once(
    database_url, session_maker, settings, mail_server
) -> None:
    settings = dataclasses.replace(settings, smtp_url=mail_server.url)
    await queue(session_maker, count=40)
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        makers = [async_sessionmaker(e, expire_on_commit=False) for e in engines]
        reports = await asyncio.gather(
            *(mail.send_pending(m, settings, limit=3) for m in makers))
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(r.sent for r in reports) == 40
    addresses = [m["To"] for m in mail_server.messages]
    assert len(addresses) == len(set(addresses)) == 40
    assert {r.status for r in await rows(session_maker)} == {"sent"}


async def test_send_pending_needs_an_smtp_url(session_maker, settings) -> None:
    with pytest.raises(RuntimeError, match="PSO_SMTP_URL"):
        await mail.send_pending(session_maker, settings)


def test_smtp_urls() -> None:
    plain = mail.smtp_target("smtp://127.0.0.1:2525")
    assert (plain.hostname, plain.port, plain.use_tls, plain.start_tls, plain.username) == (
        "127.0.0.1", 2525, False, None, None)
    login = mail.smtp_target("smtp://mailer:p%40ss@mail.example.nl:587")
    assert (login.username, login.password, login.start_tls, login.use_tls) == (
        "mailer", "p@ss", True, False)
    implicit = mail.smtp_target("smtps://u:p@mail.example.nl")
    assert (implicit.port, implicit.use_tls, implicit.start_tls) == (465, True, False)
    assert mail.smtp_target("smtp://mail.example.nl").port == 587


async def test_background_sender_wakes_up_after_a_commit(
    session_maker, settings, mail_server
) -> None:
    # Polling once a minute: only the wake-up after the commit can deliver within seconds.
    settings = dataclasses.replace(settings, smtp_url=mail_server.url, mail_poll_seconds=60)
    sender = mail.MailSender(session_maker, settings)
    await sender.start()
    try:
        await asyncio.sleep(0.2)  # its first round finds nothing and starts waiting
        await queue(session_maker)
        for _ in range(100):
            if mail_server.messages:
                break
            await asyncio.sleep(0.05)
        assert [m["To"] for m in mail_server.messages] == ["ans@example.nl"]
    finally:
        await sender.stop()
    assert sender._task.done()
    assert {r.status for r in await rows(session_maker)} == {"sent"}
