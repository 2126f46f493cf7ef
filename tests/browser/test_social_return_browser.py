"""Social return terms after the award (issue 28, SPEC §8.2) in a real browser (chromium,
JavaScript off) on SQLite (tests/browser/support.py, one_backend): a buyer awards a tender,
records the SROI terms (first with errors at their inputs), sees the obligation, the PSO
reduction of the awarded rung and the agreed model, and changes them. Screenshots at 1280 px
and 390 px."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from pso.cli.database import add_account
from pso.clock import today
from pso.settings import Settings
from tests.browser.support import (
    PASSWORD,
    chromium,
    database,
    one_backend,
    serve_with_mail,
    shoot,
    sign_in,
    submit,
    tabs,
)

BUYER = "inkoper@example.nl"
WINNER = "41000021"


@contextlib.contextmanager
def served(backend: str, tmp_path_factory: pytest.TempPathFactory,
           name: str) -> Iterator[dict[str, object]]:
    """The server on a fresh database of `backend` with the buyer and the winning company
    (and its API token); test_social_return_settlement_browser.py serves its own."""
    with database(backend, tmp_path_factory, name) as url:
        settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": url})
        asyncio.run(add_account(settings, email=BUYER, name="Ina Inkoper", role="procurement",
                                party="30280353", party_name="Inkoop Provincie Utrecht",
                                password=PASSWORD))
        _, _, token = asyncio.run(add_account(
            settings, email="hr@schoon.example.nl", name="Hanna HR", role="company",
            party=WINNER, party_name="Schoon & Sociaal B.V.", password=PASSWORD,
            with_token=True))
        with serve_with_mail(url) as (base, _mail):
            yield {"base": base, "backend": backend,
                   "contractor": {"Authorization": f"Bearer {token}"}}


@pytest.fixture(scope="module", params=one_backend("sqlite"))
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    with served(request.param, tmp_path_factory, "social_return") as found:
        yield found


@pytest.fixture(scope="module")
def browser(site) -> Iterator[object]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def tab(browser, site):
    with tabs(browser, site["base"]) as new:
        yield new()[1]


def to_terms_after_award(tab, title: str, reference: str) -> None:
    """The buyer signs in, records a tender, awards it to its one bid (Schoon & Sociaal,
    trede 2, € 250.000) and opens the social-return terms form."""
    sign_in(tab, BUYER)
    tab.fill("#f-title", title)
    tab.fill("#f-reference", reference)
    tab.fill("#f-deadline", today().isoformat())
    tab.fill("#f-policy-values-trede2", "5")
    submit(tab, "text=Aanbesteding vastleggen")
    tab.fill("#f-bidder", "Schoon & Sociaal B.V.")
    tab.fill("#f-kvk", "41000021")
    tab.fill("#f-price", "250.000,00")
    tab.select_option("#f-declaredRung", "trede2")
    submit(tab, "button:has-text('Inschrijving toevoegen')")
    submit(tab, "text=Gunning vastleggen")
    tab.goto(tab.url.replace("/bewaking", ""))
    submit(tab, "text=Social return na de gunning")


def test_buyer_records_social_return_terms_after_the_award(tab, site) -> None:
    backend = site["backend"]
    to_terms_after_award(tab, "Schoonmaak provinciehuis 2027", "PU-2026-051")
    assert "Afspraken vastleggen" in tab.inner_text("main")
    assert tab.locator("#f-contractSum").input_value() == "250000"

    tab.fill("#f-ratePct", "150")
    tab.fill("#f-reductions-trede2", "50")
    tab.select_option("#f-settlement-rule", "buyout")
    submit(tab, "button:has-text('Afspraken vastleggen')")
    main = tab.inner_text("main")
    assert "Controleer de invoer (2 punten)" in main
    assert "Percentage: Mag hoogstens 100 zijn." in main
    assert tab.locator("#f-ratePct-error").count() == 1
    assert tab.locator("#f-settlement-percentage-error").count() == 1
    shoot(tab, f"social-return-fouten-{backend}")

    tab.fill("#f-ratePct", "5")
    tab.fill("#f-settlement-percentage", "80")
    submit(tab, "button:has-text('Afspraken vastleggen')")
    main = " ".join(tab.inner_text("main").split())
    assert "Social-return-afspraken vastgelegd: de opdrachtnemer realiseert € 6.250,00." in main
    assert "€ 12.500,00" in main and "50% = € 6.250,00" in main
    assert "afkoopsom van 80% van het tekort" in main
    facts = " ".join(tab.inner_text("dl.facts").split())
    assert "Waarderingsmodel Uniform Bouwblokkenmodel Oost-Nederland V05" in facts
    assert "Participatiewet < 2 jaar" in tab.inner_text("table")

    # The contractor reports two placements (through the API); the buyer reviews them.
    tid = tab.url.split("/aanbestedingen/")[1].split("/")[0]
    for pseudonym, start in (("K-17", today()), ("K-18", today())):
        made = httpx.post(f"{site['base']}/api/v1/tenders/{tid}/social-return/lines",
                          headers=site["contractor"], json={
                              "kind": "placement", "block": "pw-kort", "pseudonym": pseudonym,
                              "start": start.isoformat(),
                              "end": (start + timedelta(days=89)).isoformat(),
                              "hoursPerWeek": "24", "bonuses": []})
        assert made.status_code == 201, made.text
    tab.reload()
    rows = tab.locator("#regels tbody tr")
    assert rows.count() == 2
    shoot(tab, f"social-return-beoordelen-{backend}")
    submit(tab, "#regels tbody tr:nth-child(1) button:has-text('Accepteren')")
    tab.fill("#regels tbody tr:nth-child(2) input[name=reason]", "Geen arbeidscontract gezien.")
    submit(tab, "#regels tbody tr:nth-child(2) button:has-text('Afwijzen')")
    main = " ".join(tab.inner_text("main").split())
    assert "Geaccepteerd: € 4.931,51 van € 6.250,00" in main  # 30.000 × 24/36 × 90/365
    assert "Afgewezen: Geen arbeidscontract gezien." in main
    # Progress (issue 28 item 5): the accepted value against what remains, and the chart.
    assert "Geaccepteerd € 4.931,51 van € 6.250,00 (78,9%)" in main
    assert "Verstreken tijd 1 van " in main and "Stand: op schema" in main
    assert tab.locator("svg.progress-chart rect.bar-month").count() >= 2
    shoot(tab, f"social-return-{backend}")


def test_contractor_reports_on_mijn_social_return(browser, site) -> None:
    """Runs after the buyer's test (same module, same database): the contract is there."""
    with tabs(browser, site["base"]) as new:
        tab = new()[1]
        sign_in(tab, "hr@schoon.example.nl")
        tab.goto("/mijn/social-return")
        main = " ".join(tab.inner_text("main").split())
        assert "Schoonmaak provinciehuis 2027" in main and "Te realiseren € 6.250,00" in main
        form = tab.locator("section.section-box form").first
        form.locator("select[name=kind]").select_option("work_experience")
        form.locator("select[name=block]").select_option("werkervaring")
        form.locator("input[name=pseudonym]").fill("Jan Jansen")
        form.locator("input[name=start]").fill(today().isoformat())
        form.locator("input[name=end]").fill((today() + timedelta(days=89)).isoformat())
        submit(tab, "button:has-text('Regel melden')")
        assert "nooit een naam of een BSN" in tab.inner_text("main")
        shoot(tab, f"mijn-social-return-fout-{site['backend']}")
        tab.locator("section.section-box form").first.locator(
            "input[name=pseudonym]").fill("W-1")
        submit(tab, "button:has-text('Regel melden')")
        main = " ".join(tab.inner_text("main").split())
        assert "gemeld; de inkoper beoordeelt hem" in main
        assert "€ 2.219,18" in main  # 750 × 12 × 90/365
        shoot(tab, f"mijn-social-return-{site['backend']}")
        # Lines from a file (issue 28 item 4): an error names row and column; nothing stored.
        tab.locator("input[id^=f-file-]").first.set_input_files(files=[{
            "name": "regels.csv", "mimeType": "text/csv",
            "buffer": b"Soort;Bouwblok;Pseudoniem;Begin;Einde\n"
                      b"werkervaringsplek;werkervaring;Jan;01-01-2027;31-01-2027\n"}])
        submit(tab, "button:has-text('Bestand inlezen')")
        main = " ".join(tab.inner_text("main").split())
        assert "Het bestand is niet ingelezen" in main and "Rij 2, kolom Pseudoniem" in main
        shoot(tab, f"mijn-social-return-bestand-{site['backend']}")
