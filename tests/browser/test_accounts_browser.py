"""Signing in, out and back in a real browser (Debian chromium, JavaScript off), against the
real server with its outbox sender delivering to a real SMTP server (aiosmtpd), on PostgreSQL,
or SQLite without it (tests/browser/support.py, one_backend): wrong password, throttling,
logout then reuse of the old cookie, password reset through the mail that arrived, TOTP
enrolment and sign-in with a code, and an invited person who sets a password and lands on their
role's home."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator

import pyotp
import pytest

from pso.cli.database import add_account
from pso.settings import Settings
from tests.browser.support import (
    PASSWORD,
    chromium,
    database,
    mail_link,
    one_backend,
    serve_with_mail,
    shoot,
    sign_in,
    submit,
    tabs,
)
from tests.mail_server import MailServer

PEOPLE = [  # e-mail, name, role, party, party name
    ("gemeente@example.nl", "Gea Gemeente", "municipality", "GM0363", "Gemeente Amsterdam"),
    ("geblokkeerd@example.nl", "Bert Blok", "municipality", "GM0363", None),
    ("vergeten@example.nl", "Vera Vergeet", "procurement", "30280353", "Inkoop Utrecht"),
    ("beheer@example.nl", "Bea Beheer", "admin", None, None),
    ("hr@example.nl", "Hans HR", "company", "12345678", "Groen & Schoon Hoveniers"),
]


@pytest.fixture(scope="module", params=one_backend("postgres"))
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    with database(request.param, tmp_path_factory, "accounts") as url:
        settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": url})
        for email, name, role, party, party_name in PEOPLE:
            asyncio.run(add_account(settings, email=email, name=name, role=role, party=party,
                                    party_name=party_name, password=PASSWORD))
        with serve_with_mail(url) as (base, mail):
            yield {"base": base, "mail": mail, "backend": request.param}


@pytest.fixture(scope="module")
def browser(site) -> Iterator[object]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def context(browser, site):
    """context() -> (browser context, tab): a fresh profile; console errors (CSP!) fail the test."""
    with tabs(browser, site["base"]) as new:
        yield new


def test_wrong_password_then_sign_in_and_logout_ends_the_cookie(context, site) -> None:
    ctx, tab = context()
    sign_in(tab, "gemeente@example.nl", "Verkeerd-wachtwoord-1")
    assert "Het e-mailadres of het wachtwoord klopt niet." in tab.inner_text("main")
    shoot(tab, f"inloggen-fout-{site['backend']}", phone=False)
    sign_in(tab, "gemeente@example.nl")
    assert tab.url.endswith("/gemeente")
    assert "Gea Gemeente" in tab.inner_text(".page-head")
    cookie = next(c for c in ctx.cookies() if c["name"] == "pso_sessie")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    submit(tab, "text=Uitloggen")
    assert tab.url.endswith("/inloggen") and "U bent uitgelogd." in tab.inner_text("main")

    # Someone who copied the cookie before the logout gets nowhere with it.
    thief, stolen = context()
    thief.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path")}])
    stolen.goto("/gemeente")
    assert "/inloggen" in stolen.url and stolen.locator("#password").is_visible()


def test_five_failures_throttle_even_the_right_password(context, site) -> None:
    _, tab = context()
    for _ in range(5):
        assert sign_in(tab, "geblokkeerd@example.nl", "Fout-fout-fout-1").status == 401
    response = sign_in(tab, "geblokkeerd@example.nl")
    assert response.status == 429 and int(response.headers["retry-after"]) > 800
    assert "Te veel mislukte pogingen" in tab.inner_text("main")
    shoot(tab, f"inloggen-geblokkeerd-{site['backend']}", phone=False)


def test_password_reset_through_the_mail_that_arrived(context, site) -> None:
    _, tab = context()
    tab.goto("/inloggen")
    submit(tab, "text=Wachtwoord vergeten?")
    tab.fill("#email", "vergeten@example.nl")
    submit(tab, "form.login button")
    assert "ontvangt u binnen enkele minuten een e-mail" in tab.inner_text("main")
    [message] = site["mail"].wait_until(lambda m: m["To"] == "vergeten@example.nl")
    assert message["Subject"] == "Nieuw wachtwoord voor de PSO-dienst"
    path = mail_link(site, "vergeten@example.nl", 1)
    tab.goto(path)
    tab.fill("#password", "kort")
    tab.fill("#password2", "kort")
    submit(tab, "form.login button")
    assert "minstens 12 tekens" in tab.inner_text("main")
    tab.fill("#password", "Een-nieuw-en-lang-wachtwoord")
    tab.fill("#password2", "Een-nieuw-en-lang-wachtwoord")
    submit(tab, "form.login button")
    assert "Uw wachtwoord is ingesteld" in tab.inner_text("main")
    sign_in(tab, "vergeten@example.nl", "Een-nieuw-en-lang-wachtwoord")
    assert tab.url.endswith("/inkoop")
    tab.goto(path)  # the link worked once
    assert "al gebruikt" in tab.inner_text("main")
    assert tab.locator("a[href='/wachtwoord-vergeten']").count() >= 1


def test_totp_enrolment_and_sign_in_with_a_code(context, site) -> None:
    _, tab = context()
    sign_in(tab, "beheer@example.nl")
    assert tab.url.endswith("/account/tweestapsverificatie")  # required for admins
    tab.goto("/beheer")
    assert tab.url.endswith("/account/tweestapsverificatie")  # nothing before enrolling
    assert tab.locator("figure.qr svg").is_visible()
    shoot(tab, f"tweestaps-instellen-{site['backend']}", phone=False)
    secret = tab.inner_text("#totp-secret").strip()
    tab.fill("#code", pyotp.TOTP(secret).now())
    submit(tab, "form.login button")
    assert len(tab.locator("ul.recovery-codes li").all()) == 10
    submit(tab, "text=Verder naar uw startpagina")
    assert tab.url.endswith("/beheer") and "Beheer" in tab.inner_text("h1")
    submit(tab, "text=Uitloggen")

    sign_in(tab, "beheer@example.nl")
    assert "/inloggen/code" in tab.url
    tab.fill("#code", "000000")
    submit(tab, "form.login button")
    assert "Deze code klopt niet" in tab.inner_text("main")
    # The enrolment code is used up; the next 30-second step's code is accepted (drift).
    tab.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))
    submit(tab, "form.login button")
    assert tab.url.endswith("/beheer")


def test_invited_person_sets_a_password_and_lands_home(context, site) -> None:
    _, tab = context()
    sign_in(tab, "hr@example.nl")
    assert tab.url.endswith("/mijn")
    tab.goto("/account/uitnodigen")
    tab.fill("#email", "collega@example.nl")
    tab.fill("#name", "Cor Collega")
    submit(tab, "form.section-box button")
    assert "Uitnodiging verstuurd naar collega@example.nl" in tab.inner_text("main")
    path = mail_link(site, "collega@example.nl", 1)
    message = site["mail"].to("collega@example.nl")[0]
    assert "Hans HR nodigt u uit" in MailServer.text(message)

    _, invited = context()
    invited.goto(path)
    assert "Welkom bij de PSO-dienst" in invited.inner_text("h1")
    invited.fill("#password", "Cor-zijn-eigen-wachtwoord")
    invited.fill("#password2", "Cor-zijn-eigen-wachtwoord")
    submit(invited, "form.login button")
    sign_in(invited, "collega@example.nl", "Cor-zijn-eigen-wachtwoord")
    assert invited.url.endswith("/mijn") and "Cor Collega" in invited.inner_text(".page-head")
    shoot(invited, f"uitgenodigd-thuis-{site['backend']}", phone=False)
    assert re.search(r"Groen & Schoon Hoveniers", invited.inner_text(".page-head"))
