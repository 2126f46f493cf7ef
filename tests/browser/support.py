"""What the browser tests share: Debian chromium under Playwright (JavaScript off), tabs whose
console errors fail the test, screenshots, signing in, mails that arrived, and a server as
`pso serve` runs it (outbox sender on, a real SMTP server) on a fresh SQLite or PostgreSQL
database.

Importing this module skips the test module when Playwright or chromium is missing, except
in CI (PSO_REQUIRE_BROWSER=1 or CI=true), where that is an error.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pso.db.migrate import upgrade
from tests.databases import temporary_postgres
from tests.mail_server import MailServer
from tests.requirements import in_ci
from tests.servers import ROOT, start_server

# Checked before anything could skip the module: in CI a missing browser is a failure.
REQUIRED = os.environ.get("PSO_REQUIRE_BROWSER") == "1" or in_ci()
CHROMIUM = os.environ.get("PSO_CHROMIUM", "/usr/bin/chromium")
try:
    import playwright.sync_api as playwright_api
except ImportError as exc:
    if REQUIRED:
        raise RuntimeError(f"the browser tests are required but Playwright is missing: {exc}"
                           ) from exc
    pytest.skip(f"Playwright is not installed ({exc})", allow_module_level=True)
if not shutil.which(CHROMIUM):
    if REQUIRED:
        raise RuntimeError(f"the browser tests are required but there is no chromium at "
                           f"{CHROMIUM}")
    pytest.skip(f"no chromium at {CHROMIUM} (scripts/system-deps.sh installs it)",
                allow_module_level=True)

ARTIFACTS = ROOT / "test-artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "Groene-Ladder-Zomer-2026"
# Form errors answer 400/409 on purpose; the browser logs those too.
EXPECTED_ERROR = "Failed to load resource: the server responded with a status of 4"


# --- the server ----------------------------------------------------------------------


def server_app(port: int) -> list[str]:
    """The app as `pso serve` builds it: with the outbox sender and the daily jobs running."""
    return [sys.executable, "-m", "uvicorn", "--factory", "pso.cli:server_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            "--no-access-log"]


@contextlib.contextmanager
def database(backend: str, tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    """A fresh migrated database for one test module: PostgreSQL (dropped afterwards) or an
    SQLite file."""
    with contextlib.ExitStack() as stack:
        if backend == "postgres":
            url = stack.enter_context(temporary_postgres(f"pso_browser_{name}"))
        else:
            url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp(name) / 'pso.sqlite3'}"
        upgrade(url)
        yield url


@contextlib.contextmanager
def serve_with_mail(url: str) -> Iterator[tuple[str, MailServer]]:
    """(base URL, SMTP server): the app on `url`, delivering its outbox to a real SMTP server."""
    mail = MailServer()
    mail.start()
    try:
        with start_server(url, env={
                "PSO_SMTP_URL": mail.url, "PSO_MAIL_POLL_SECONDS": "0.2",
                "PSO_MAIL_FROM": "PSO-dienst <noreply@pso.example.nl>"},
                command=server_app) as base:
            yield base, mail
    finally:
        mail.stop()


def mails_to(site: dict[str, Any], address: str, count: int) -> list:
    """The mails `address` received, once at least `count` have arrived."""
    mail: MailServer = site["mail"]
    deadline = time.monotonic() + 20
    while len(mail.to(address)) < count:
        assert time.monotonic() < deadline, \
            f"fewer than {count} mails for {address}: {[m['Subject'] for m in mail.to(address)]}"
        time.sleep(0.1)
    return mail.to(address)


def mail_link(site: dict[str, Any], address: str, count: int) -> str:
    """The path of the newest password link mailed to `address`, once `count` mails reached it."""
    link = MailServer.links(mails_to(site, address, count)[-1])
    path = next(u for u in link if "/wachtwoord-instellen/" in u)
    return path[path.index("/wachtwoord-instellen/"):]


# --- the browser ---------------------------------------------------------------------


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian chromium. Start it after the seeding: Playwright's sync API runs an event loop,
    and asyncio.run needs its own."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def tabs(browser: Any, base: str) -> Iterator[Callable[[], tuple[Any, Any]]]:
    """new() -> (context, tab): a fresh browser profile (own cookies) on `base`, JavaScript off
    (every page must work without it). Console and page errors (a CSP violation is one) of
    any of them fail the test at the end."""
    made: list[Any] = []
    problems: list[str] = []

    def new() -> tuple[Any, Any]:
        context = browser.new_context(viewport=DESKTOP, locale="nl-NL", base_url=base,
                                      accept_downloads=True, java_script_enabled=False)
        context.set_default_timeout(15_000)
        made.append(context)
        tab = context.new_page()
        tab.on("console", lambda m: problems.append(m.text)
               if m.type == "error" and not m.text.startswith(EXPECTED_ERROR) else None)
        tab.on("pageerror", lambda e: problems.append(str(e)))
        return context, tab

    yield new
    for context in made:
        context.close()
    assert not problems, f"browser reported errors (CSP?): {problems}"


def shoot(tab, name: str, *, phone: bool = True) -> None:
    """Full-page screenshots at desktop and (re-laid out) phone width."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    if phone:
        tab.set_viewport_size(PHONE)
        tab.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
        tab.set_viewport_size(DESKTOP)


def submit(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.click(selector)


def sign_in(tab, email: str, password: str = PASSWORD):
    """The sign-in form sent; returns the answer (the TOTP step follows where it is on)."""
    tab.goto("/inloggen")
    tab.fill("#email", email)
    tab.fill("#password", password)
    with tab.expect_navigation() as nav:
        tab.click("form.login button")
    return nav.value
