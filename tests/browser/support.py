"""What the browser tests share: Debian chromium under Playwright (JavaScript off), tabs whose
console errors fail the test and whose every page state passes the accessibility gate
(axe-core, WCAG 2.1 A and AA), screenshots, signing in, mails that arrived, and a server as
`pso serve` runs it (outbox sender on, a real SMTP server) on a fresh SQLite or PostgreSQL
database.

Importing this module skips the test module when Playwright or chromium is missing, except
in CI (PSO_REQUIRE_BROWSER=1 or CI=true), where that is an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from html import escape
from typing import Any

import pytest

from pso.db.migrate import upgrade
from tests import html_checks
from tests.conftest import BACKENDS
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
from axe_playwright_python.base import AXE_SCRIPT  # after the skips above

ARTIFACTS = ROOT / "test-artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "Groene-Ladder-Zomer-2026"


async def body_with_auditors(session: Any, code: str, name: str,
                             auditors: dict[str, tuple[str, str]]) -> Any:
    """A certifying body and its auditors ({email: (name, TOTP secret)}), TOTP switched on."""
    from pso.auth import SYSTEM
    from pso.db.base import utcnow
    from pso.services import accounts, bodies

    await bodies.create(session, SYSTEM, code=code, name=name,
                        accreditation="RvA C 321, ISO/IEC 17065")
    body = await bodies.find(session, code)
    for email, (person, secret) in auditors.items():
        account = await accounts.create_account(session, SYSTEM, email=email, name=person,
                                                role="auditor", party=body, password=PASSWORD)
        account.totp_secret, account.totp_enabled_at = secret, utcnow()
    return body
# Form errors answer 400/409 on purpose; the browser logs those too.
EXPECTED_ERROR = "Failed to load resource: the server responded with a status of 4"


# --- the server ----------------------------------------------------------------------


def server_app(port: int) -> list[str]:
    """The app as `pso serve` builds it: with the outbox sender and the daily jobs running."""
    return [sys.executable, "-m", "uvicorn", "--factory", "pso.cli:server_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            "--no-access-log"]


def one_backend(preferred: str) -> list[str]:
    """The one database a page module runs on: `preferred`, or SQLite when this run has no
    PostgreSQL (never a skip). Use as `@pytest.fixture(scope="module", params=...)`; the test
    ids stay [postgres] or [sqlite].

    A page module checks what a person reads (words, Dutch notation, layout, the
    accessibility gate), which does not depend on the database; what the database does is
    tested on both by the service and API tests. Page modules alternate between the two, so
    both still serve pages to the browser; the cross-portal story modules run on both
    (docs/testing.md, "Browser tests and the two databases")."""
    return [preferred] if preferred in BACKENDS else ["sqlite"]


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


def mail_with_subject(site, address: str, words: str):
    """The newest mail to `address` whose subject holds `words`, once it arrived."""
    mail: MailServer = site["mail"]
    deadline = time.monotonic() + 20
    while True:
        found = [m for m in mail.to(address) if words in str(m["Subject"])]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"no mail '{words}' for {address}"
        time.sleep(0.1)


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


# --- the accessibility gate ----------------------------------------------------------

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
# Every distinct page state scanned in this session: state key -> "URL (title)".
# tests/browser/tally.py reports the count and requires at least 100 for the whole suite.
SCANNED: dict[str, str] = {}
SCAN_SECONDS: list[float] = []
FAILED: list[str] = []  # the states with a violation
# What differs between visits of the same state: form tokens, typed values.
_VOLATILE = re.compile(r'\svalue="[^"]*"')
_ORIGIN = re.compile(r"^https?://[^/]+")


class AxeGate:
    """axe-core over each document a tab loads. The tabs run without JavaScript, where axe
    cannot run (its timers never fire), so the scan runs on a copy of the tab's DOM in a tab
    of its own with JavaScript on, same URL base, same stylesheet and viewport."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.scanner: Any = None
        self.loads: dict[Any, int] = {}  # tab -> documents it has loaded
        self.seen: dict[Any, int] = {}  # tab -> the last of them scanned

    def watch(self, tab: Any) -> Any:
        """The tab as the tests use it: before any use, a newly loaded document is scanned."""
        self.loads[tab] = self.seen[tab] = 0
        tab.on("load", lambda _page: self.loads.__setitem__(tab, self.loads[tab] + 1))
        return _Watched(tab, lambda: self.check(tab))

    def check(self, tab: Any) -> None:
        if self.loads[tab] == self.seen[tab] or tab.is_closed():
            return
        self.seen[tab] = self.loads[tab]
        tab.wait_for_load_state("load")
        url = tab.url
        if not url.startswith("http") or tab.evaluate("document.contentType") != "text/html":
            return
        html = tab.content()
        # The same page on the other database's server (another port) is the same state:
        # the key leaves out the origin, so a story run on both databases scans it once.
        origin = match.group(0) if (match := _ORIGIN.match(url)) else ""
        state = f"{url.split('#')[0].removeprefix(origin)}\n{_VOLATILE.sub('', html)}"
        key = hashlib.sha256(state.replace(origin, "").encode()).hexdigest()
        if key in SCANNED:
            return
        started = time.perf_counter()
        title, violations = self.scan(url, html)
        SCAN_SECONDS.append(time.perf_counter() - started)
        SCANNED[key] = f"{url} ({title})"
        found = [f"- {v['id']}: {v['help']} — " + "; ".join(
                    f"{' '.join(n['target'])} {n.get('failureSummary', '')}".replace("\n", " ")
                    for n in v["nodes"][:3]) for v in violations]
        found += [f"- html: {problem}" for problem in html_checks.problems(html)]
        if found:
            FAILED.append(SCANNED[key])
        assert not found, f"accessibility gate on {url} ({title!r}):\n" + "\n".join(found)

    def scan(self, url: str, html: str) -> tuple[str, list[dict[str, Any]]]:
        if self.scanner is None:
            context = self.browser.new_context(viewport=DESKTOP, locale="nl-NL")
            self.scanner = context.new_page()
        # The copy resolves links and the stylesheet against the page's own URL.
        base = f'<base href="{escape(url)}">'
        copy = re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + base, html, count=1)
        self.scanner.set_content(copy, wait_until="load")
        # document.write keeps the window, so axe is injected once per scanner tab.
        if not self.scanner.evaluate("typeof axe === 'object'"):
            self.scanner.evaluate(AXE_SCRIPT)
        result = self.scanner.evaluate(f"axe.run({json.dumps(AXE_OPTIONS)})")
        return self.scanner.title(), result["violations"]

    def close(self) -> None:
        try:
            for tab in self.loads:
                self.check(tab)
        finally:
            if self.scanner is not None:
                self.scanner.context.close()


class _Watched:
    """A Playwright page whose every attribute access first runs the gate's check."""

    def __init__(self, tab: Any, check: Callable[[], None]) -> None:
        object.__setattr__(self, "_tab", tab)
        object.__setattr__(self, "_check", check)

    def __getattr__(self, name: str) -> Any:
        self._check()
        return getattr(self._tab, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._tab, name, value)


@contextlib.contextmanager
def tabs(browser: Any, base: str) -> Iterator[Callable[[], tuple[Any, Any]]]:
    """new() -> (context, tab): a fresh browser profile (own cookies) on `base`, JavaScript off
    (every page must work without it). Console and page errors (a CSP violation is one) of
    any of them fail the test at the end. Every page state a tab reaches passes the
    accessibility gate (AxeGate): a violation fails the test at its next use of the tab."""
    made: list[Any] = []
    problems: list[str] = []
    gate = AxeGate(browser)

    def new() -> tuple[Any, Any]:
        context = browser.new_context(viewport=DESKTOP, locale="nl-NL", base_url=base,
                                      accept_downloads=True, java_script_enabled=False)
        context.set_default_timeout(15_000)
        made.append(context)
        tab = context.new_page()
        tab.on("console", lambda m: problems.append(m.text)
               if m.type == "error" and not m.text.startswith(EXPECTED_ERROR) else None)
        tab.on("pageerror", lambda e: problems.append(str(e)))
        return context, gate.watch(tab)

    yield new
    try:
        gate.close()  # the state each tab ended in
    finally:
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
