"""The admin portal in a real browser (Debian chromium, JavaScript off) against a real server,
on SQLite (tests/browser/support.py, one_backend): an admin signs in with password and TOTP
code, sees the figures, is refused a code that exists (the error at the field), adds a
certifying body and finds it listed; the tables of bodies, organisations and the audit log fit
1280 px and a 390 px phone (screenshots of each in test-artifacts/browser/)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pyotp
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.auth import SYSTEM
from pso.db.base import utcnow
from pso.db.engine import make_engine
from pso.services import accounts, bodies, organizations
from tests.browser.support import (
    DESKTOP,
    PASSWORD,
    PHONE,
    chromium,
    database,
    one_backend,
    shoot,
    sign_in,
    submit,
    tabs,
)
from tests.browser.test_browser import assert_fits
from tests.servers import start_server

ADMIN, SECRET = "beheer@example.nl", pyotp.random_base32(32)
# A second admin: a TOTP code counts once, and both tests may sign in within 30 seconds.
ADMIN2, SECRET2 = "beheer2@example.nl", pyotp.random_base32(32)
LONG_NAME = ("Stichting Samenwerkende Certificeringsinstellingen voor Sociaal Ondernemen in "
             "Noord-Holland, Flevoland en Utrecht")
LONG_ORGANISATION = ("Bravo Wegen- en Waterbouw Combinatie Noord-Holland, Flevoland, Utrecht en "
                     "Gelderland voor Infrastructuur en Groenonderhoud B.V.")
ACCREDITATION = ("RvA C 321 (ISO/IEC 17065), scope: Prestatieladder Socialer Ondernemen, "
                 "PSO 30+ en de bijbehorende schema's van TNO, geldig tot en met 2028")


async def _seed(url: str) -> None:
    """An admin with TOTP on, a body, and organisations with short and very long names."""
    engine = make_engine(url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as session, session.begin():
            party = await accounts.ensure_party(session, "admin", "admin")
            admin = await accounts.create_account(session, SYSTEM, email=ADMIN, name="Bea Beheer",
                                                  role="admin", party=party, password=PASSWORD)
            admin.totp_secret, admin.totp_enabled_at = SECRET, utcnow()
            second = await accounts.create_account(session, SYSTEM, email=ADMIN2,
                                                   name="Ben Beheer", role="admin", party=party,
                                                   password=PASSWORD)
            second.totp_secret, second.totp_enabled_at = SECRET2, utcnow()
            await bodies.create(session, SYSTEM, code="PSOCERT", name="PSO Certificering B.V.",
                                accreditation="RvA C 123")
            for kvk, name, code in (
                    ("12345678", "Groen & Schoon Hoveniers", "GM0363"),
                    ("23456789", LONG_ORGANISATION, "GM0200"),
                    ("34567890", "Bakkerij De Korenaar", "GM0344"),
                    ("56789012", "Zonder-spaties-" + "x" * 150 + " B.V.", "GM0363")):
                await organizations.create(session, SYSTEM, {
                    "kvk": kvk, "name": name, "municipality_code": code, "kind": "company",
                    "subsidiaries": [{"kvk": "45678901", "name": "Korenaar Zuid"}]
                    if kvk == "34567890" else []})
    finally:
        await engine.dispose()


@pytest.fixture(scope="module", params=one_backend("sqlite"))
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    with database(request.param, tmp_path_factory, "beheer") as url:
        asyncio.run(_seed(url))
        with start_server(url) as base:
            yield {"base": base, "backend": request.param}


@pytest.fixture
def context(site):
    with chromium() as browser, tabs(browser, site["base"]) as new:
        yield new


def fits_a_phone(tab, table: str, parts: str = "td") -> None:
    """At 390 px every row is a card within the screen: nothing sticks out to the right."""
    tab.set_viewport_size(PHONE)
    try:
        for cell in tab.locator(f"{table} {parts}").all():
            box = cell.bounding_box()
            if box:  # empty cells are hidden on a phone
                assert box["x"] + box["width"] <= PHONE["width"], (table, cell.inner_text(), box)
    finally:
        tab.set_viewport_size(DESKTOP)


def test_admin_with_totp_adds_a_certifying_body(context, site) -> None:
    _, tab = context()
    backend = site["backend"]
    tab.goto("/beheer/instellingen")  # anonymous: first sign in, then back here
    assert "/inloggen?volgende=/beheer/instellingen" in tab.url
    sign_in(tab, ADMIN)
    assert "/inloggen/code" in tab.url
    tab.fill("#code", pyotp.TOTP(SECRET).now())
    submit(tab, "form.login button")
    tab.goto("/beheer")
    assert "Beheer" in tab.inner_text("h1")
    tiles = tab.inner_text("ul.tiles")
    assert "4\naanvragende organisaties" in tiles and "1\ncertificerende instelling" in tiles
    shoot(tab, f"beheer-overzicht-{backend}")

    submit(tab, "nav.portal-nav >> text=Certificerende instellingen")
    tab.fill("#f-code", "psocert")
    tab.fill("#f-name", "Dubbel")
    submit(tab, "#nieuw button")
    assert "Er is al een certificerende instelling met code PSOCERT." in tab.inner_text(
        "#f-code-error")
    assert tab.locator(".error-summary a[href='#f-code']").is_visible()
    shoot(tab, f"beheer-instelling-fout-{backend}")

    tab.fill("#f-code", "SSCI-NH")
    tab.fill("#f-name", LONG_NAME)
    tab.fill("#f-accreditation", ACCREDITATION)
    assert tab.is_checked("#f-separateDecision")  # on by default
    submit(tab, "#nieuw button")
    assert f"{LONG_NAME} (SSCI-NH) toegevoegd." in tab.inner_text("main")
    rows = tab.inner_text("#instellingen")
    assert LONG_NAME in rows and "SSCI-NH" in rows and ACCREDITATION in rows
    assert_fits(tab, "#instellingen")
    fits_a_phone(tab, "#instellingen")
    shoot(tab, f"beheer-instellingen-{backend}")

    submit(tab, "a[href='/beheer/instellingen/SSCI-NH']")
    tab.uncheck("#f-separateDecision")
    submit(tab, "#wijzigen button")
    assert "zijn opgeslagen" in tab.inner_text("main")
    row = tab.locator("#instellingen tr", has_text="SSCI-NH").inner_text()
    assert "\tNee\t" in row, row  # separate decision now off

    tab.goto("/beheer/organisaties")
    assert_fits(tab, "#organisaties")
    fits_a_phone(tab, "#organisaties")
    shoot(tab, f"beheer-organisaties-{backend}")

    tab.goto("/beheer/audit")
    assert "Certificerende instelling gewijzigd" in tab.inner_text("#auditlog")
    assert_fits(tab, "#auditlog")
    fits_a_phone(tab, "#auditlog")
    shoot(tab, f"beheer-auditlog-{backend}")


def test_admin_names_municipalities_and_revokes_with_a_way_back(context, site) -> None:
    """Issue 22, items 5 and 7: an organisation and a municipality's first account chosen by
    name, no role chosen in advance, a new invitation, revocation after a confirmation and
    reinstatement."""
    backend = site["backend"]
    _, tab = context()
    sign_in(tab, ADMIN2)
    tab.fill("#code", pyotp.TOTP(SECRET2).now())
    submit(tab, "form.login button")

    tab.goto("/beheer/organisaties")
    tab.fill("#f-kvk", "67890123")
    tab.fill("#f-name", "Zwolse Zorg B.V.")
    tab.select_option("#f-municipalityCode", label="Zwolle")
    submit(tab, "#nieuw button")
    assert "Zwolse Zorg B.V. (KvK 67890123) geregistreerd" in tab.inner_text("main")
    assert "Zwolle" in tab.inner_text("#organisaties")
    assert not re.search(r"GM\d{4}", tab.inner_text("body"))

    tab.goto("/beheer/accounts")
    assert tab.locator("#role option:checked").inner_text() == "Kies een rol"
    tab.fill("#email", "zutphen@example.nl")
    tab.fill("#name", "Zoë Zutphen")
    tab.fill("#party", "Zutphen")
    submit(tab, "form.section-box button")
    assert "Kies een rol." in tab.inner_text("main")  # nothing was made as an admin
    tab.select_option("#role", label="Gemeente")
    submit(tab, "form.section-box button")
    assert "Account aangemaakt voor zutphen@example.nl" in tab.inner_text("main")
    row = tab.locator("table.people tr", has_text="zutphen@example.nl")
    assert "Gemeente Zutphen" in row.inner_text() and "Uitgenodigd" in row.inner_text()
    assert not re.search(r"GM\d{4}", tab.inner_text("body"))
    submit(tab, "tr:has-text('zutphen@example.nl') button:has-text('Uitnodiging opnieuw sturen')")
    assert "Een nieuwe uitnodiging is verstuurd naar zutphen@example.nl" in tab.inner_text("main")
    # Issue 28: a buying organisation buys for a municipality, which then sees its figures.
    tab.fill("#email", "inkoop@zutphen.example.nl")
    tab.fill("#name", "Ilse Inkoop")
    tab.select_option("#role", label="Inkoper")
    tab.fill("#party", "30280399")
    tab.fill("#party_name", "Inkoop Achterhoek")
    tab.fill("#party_municipality", "Zutphen")
    submit(tab, "form.section-box button")
    row = tab.locator("table.people tr", has_text="inkoop@zutphen.example.nl")
    assert "koopt in voor gemeente Zutphen" in row.inner_text()
    # Later the organisation buys for Deventer instead (a typo first), then for none.
    link = tab.locator("form.party-link", has_text="Inkoop Achterhoek")
    assert link.locator("input[name=municipality]").input_value() == "Zutphen"
    link.locator("input[name=municipality]").fill("Deventr")
    submit(tab, "form.party-link:has-text('Inkoop Achterhoek') button:has-text('wijzigen')")
    assert "Bedoelt u Deventer?" in link.inner_text()
    shoot(tab, f"beheer-accounts-gemeente-fout-{backend}")
    link.locator("input[name=municipality]").fill("Deventer")
    submit(tab, "form.party-link:has-text('Inkoop Achterhoek') button:has-text('wijzigen')")
    assert "Inkoop Achterhoek koopt nu in voor gemeente Deventer" in tab.inner_text("main")
    row = tab.locator("table.people tr", has_text="inkoop@zutphen.example.nl")
    assert "koopt in voor gemeente Deventer" in row.inner_text()
    assert not re.search(r"GM\d{4}", tab.inner_text("body"))
    fits_a_phone(tab, "ul.party-links", "input, button")
    shoot(tab, f"beheer-accounts-{backend}")
    submit(tab, "form.party-link:has-text('Inkoop Achterhoek') button:has-text('Loskoppelen')")
    assert "Inkoop Achterhoek hoort nu bij geen gemeente." in tab.inner_text("main")
    assert "koopt in voor" not in tab.inner_text("table.people")

    submit(tab, "tr:has-text('zutphen@example.nl') button:has-text('Intrekken')")
    assert "Ja, account intrekken" in tab.inner_text("main")
    shoot(tab, f"beheer-account-intrekken-{backend}")
    submit(tab, "button:has-text('Ja, account intrekken')")
    assert "is ingetrokken" in tab.inner_text("main")
    submit(tab, "tr:has-text('zutphen@example.nl') button:has-text('Herstellen')")
    assert "is hersteld" in tab.inner_text("main")
    row = tab.locator("table.people tr", has_text="zutphen@example.nl")
    assert "Uitgenodigd" in row.inner_text()
