"""The sender over TLS with a login, as real mail providers want it: STARTTLS on the
submission port (smtp://user:pass@host:587) and TLS from the first byte (smtps://...),
against aiosmtpd with a self-signed certificate the client is told to trust."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from pso import mail
from pso.db.base import utcnow
from pso.db.models import OutboxMail
from tests.mail.test_outbox import queue
from tests.mail_server import MailServer, self_signed_certificate

pytestmark = pytest.mark.anyio


@pytest.fixture
def certificate(tmp_path, monkeypatch) -> tuple[str, str]:
    cert, key = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # the sender's default context trusts it
    return cert, key


# aiosmtpd cannot see that an smtps socket is encrypted and warns about AUTH without TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("tls", ["starttls", "smtps"])
async def test_tls_and_login(session_maker, settings, certificate, tls: str) -> None:
    server = MailServer(tls=tls, certificate=certificate, login=("pso", "geheim wachtwoord"))
    server.start()
    try:
        url = server.url.replace("geheim wachtwoord", "geheim%20wachtwoord")
        await queue(session_maker)
        report = await mail.send_pending(session_maker, dataclasses.replace(settings,
                                                                             smtp_url=url))
        assert report.sent == 1, report.errors
        assert server.logins == ["pso"]
        assert [m["To"] for m in server.messages] == ["ans@example.nl"]
    finally:
        server.stop()


async def test_a_wrong_password_waits_and_retries(session_maker, settings, certificate) -> None:
    server = MailServer(tls="starttls", certificate=certificate, login=("pso", "juist"))
    server.start()
    try:
        await queue(session_maker)
        wrong = dataclasses.replace(settings, smtp_url=f"smtp://pso:fout@127.0.0.1:{server.port}")
        start = utcnow()
        report = await mail.send_pending(session_maker, wrong, now=start)
        assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
        async with session_maker() as session:
            [row] = list(await session.scalars(select(OutboxMail)))
        assert row.status == "queued" and "535" in row.last_error
        fixed = dataclasses.replace(settings, smtp_url=server.url)
        later = await mail.send_pending(session_maker, fixed, now=start + timedelta(minutes=1))
        assert later.sent == 1 and len(server.messages) == 1
    finally:
        server.stop()


async def test_login_is_never_sent_without_tls(session_maker, settings) -> None:
    plain = MailServer()  # offers no STARTTLS
    plain.start()
    try:
        await queue(session_maker)
        with_login = dataclasses.replace(
            settings, smtp_url=f"smtp://pso:geheim@127.0.0.1:{plain.port}")
        report = await mail.send_pending(session_maker, with_login)
        assert (report.sent, report.retrying) == (0, 1)
        assert "STARTTLS" in report.errors[0] or "TLS" in report.errors[0]
        assert plain.messages == []
    finally:
        plain.stop()
