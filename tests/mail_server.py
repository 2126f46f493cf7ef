"""A real SMTP server for tests: aiosmtpd on a free loopback port, collecting what arrives.

    async def test_x(mail_server, settings, session_maker):
        settings = dataclasses.replace(settings, smtp_url=mail_server.url)
        ...                                         # something queues a mail
        await pso.mail.send_pending(session_maker, settings)
        [message] = mail_server.messages            # email.message.EmailMessage
        assert "wachtwoord" in mail_server.text(message)
        link = mail_server.links(message)[0]

For a server in another process, give it env PSO_SMTP_URL=mail_server.url and wait with
`mail_server.wait_for(1)`. `stop()` and `start()` take the server away and bring it back on
the same port (an outage). `refuse_next(n)` makes the next n messages answer 451 (a
temporary refusal) and `reject(address)` answers 550 for one recipient.
"""

from __future__ import annotations

import email
import email.policy
import re
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.servers import free_port

_URL = re.compile(r"https?://[^\s<>\"']+")


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(self, smtp: SMTP, session: Session, envelope: Envelope,
                          address: str, options: list[str]) -> str:
        if address.lower() in self.server.rejected:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        with self.server.lock:
            if self.server.refusals > 0:
                self.server.refusals -= 1
                return "451 4.3.0 Try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.server.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class MailServer:
    """aiosmtpd in a thread of its own (its own event loop), like a separate mail host.

    `tls="starttls"` offers (and requires) STARTTLS, `tls="smtps"` speaks TLS from the first
    byte; both need `certificate=(cert_file, key_file)`. `login=(user, password)` requires
    authentication (only over TLS, as real servers do)."""

    def __init__(self, port: int | None = None, *, tls: str | None = None,
                 certificate: tuple[str, str] | None = None,
                 login: tuple[str, str] | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.tls, self.certificate, self.login = tls, certificate, login
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rejected: set[str] = set()
        self.refusals = 0
        self.logins: list[str] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        scheme = "smtps" if self.tls == "smtps" else "smtp"
        user = f"{self.login[0]}:{self.login[1]}@" if self.login else ""
        return f"{scheme}://{user}{self.host}:{self.port}"

    def _options(self) -> dict[str, object]:
        options: dict[str, object] = {}
        context = None
        if self.tls:
            assert self.certificate, "TLS needs certificate=(cert_file, key_file)"
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.certificate)
        if self.tls == "starttls":
            options.update(tls_context=context, require_starttls=True)
        elif self.tls == "smtps":
            options.update(ssl_context=context, server_hostname=self.host)
        if self.login:
            # With implicit TLS aiosmtpd does not notice the TLS itself; the socket is
            # encrypted from the first byte anyway.
            options.update(auth_required=True, auth_require_tls=self.tls != "smtps",
                           authenticator=self._authenticate)
        return options

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and self.login is not None
              and (auth_data.login.decode(), auth_data.password.decode()) == self.login)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            controller = Controller(_Handler(self), hostname=self.host, port=self.port,
                                    ready_timeout=10, **self._options())
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse_next(self, count: int) -> None:
        with self.lock:
            self.refusals = count

    def reject(self, address: str) -> None:
        self.rejected.add(address.lower())

    def wait_for(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        """Block until at least `count` messages arrived (a server in another process
        sends in the background); returns them, or fails the test after `timeout`."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {count} mail(s) at the test SMTP server, got {len(self.messages)}"
                )
            time.sleep(0.05)
        return list(self.messages)

    def wait_until(self, wanted: Callable[[EmailMessage], bool],
                   timeout: float = 30.0) -> list[EmailMessage]:
        """Block until a message `wanted` accepts arrived (not just any mail: a mail sent
        earlier can arrive first); returns those messages, or fails the test after
        `timeout` (a bound, not a pause)."""
        deadline = time.monotonic() + timeout
        while not (found := [m for m in list(self.messages) if wanted(m)]):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the expected mail did not arrive; got {len(self.messages)} other mail(s)"
                )
            time.sleep(0.05)
        return found

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if str(m["To"]).lower() == address.lower()]

    @staticmethod
    def text(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None, "the mail has no text/plain part"
        return part.get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("html",))
        assert part is not None, "the mail has no text/html part"
        return part.get_content()

    @classmethod
    def links(cls, message: EmailMessage) -> list[str]:
        return _URL.findall(cls.text(message))


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def self_signed_certificate(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and localhost (openssl), valid one day. A client trusts
    it when SSL_CERT_FILE names the certificate file."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )
    return str(cert), str(key)
