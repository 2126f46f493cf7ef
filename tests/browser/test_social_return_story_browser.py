"""Social return's whole story in a real browser (issue 28, chromium, JavaScript off) on SQLite
and PostgreSQL: award → terms → the contractor reports by form and by file and adds evidence →
the buyer downloads the evidence, accepts and rejects (with a reason) → progress → the server
restarted with PSO_TODAY at the contract end → settlement, whose PDF (from the buyer's and the
contractor's page) shows the figures the `sroi` engine computes here for the same lines → the
municipality the buyer buys for sees them summed. Screenshots at 1280 px and 390 px."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from certificates.formatting import euro
from pso.cli.database import add_account
from pso.clock import today
from pso.settings import Settings
from sroi.engine import Placement, WorkExperience, total, value_lines
from sroi.model import packaged_model
from tests.browser.support import PASSWORD, chromium, database, shoot, sign_in, submit, tabs
from tests.browser.test_social_return_browser import BUYER, to_terms_after_award
from tests.conftest import BACKENDS
from tests.servers import start_server

CONTRACTOR = "hr@schoon.example.nl"
MUNICIPALITY = "ria@utrecht.example.nl"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def url(backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database(backend, tmp_path_factory, "social_return_story") as found:
        settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": found})
        for email, name, role, party, party_name, buys_for in (
                (BUYER, "Ina Inkoper", "procurement", "30280353", "Inkoop Provincie Utrecht",
                 "GM0344"),
                (CONTRACTOR, "Hanna HR", "company", "41000021", "Schoon & Sociaal B.V.", None),
                (MUNICIPALITY, "Ria Raad", "municipality", "GM0344", "Gemeente Utrecht", None)):
            asyncio.run(add_account(settings, email=email, name=name, role=role, party=party,
                                    party_name=party_name, password=PASSWORD,
                                    municipality=buys_for))
        yield found


@pytest.fixture(scope="module")
def browser(url) -> Iterator[object]:
    """After the database: Playwright's loop would refuse the migration's asyncio.run."""
    with chromium() as found:
        yield found


def flat(tab) -> str:
    return " ".join(tab.inner_text("main").split())


def pdf_text(download, path) -> str:
    download.save_as(path)
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_award_to_settlement_with_the_engines_figures(browser, url, backend, tmp_path) -> None:
    start = today()
    end = start + timedelta(days=179)
    # What the engine makes of the accepted lines (K-18's line is rejected below).
    model = packaged_model("oost-nederland-v05")
    accepted = [Placement("pw-kort", start, start + timedelta(days=89), Decimal(24),
                          person="K-17"),
                WorkExperience("werkervaring", start, start + timedelta(days=89))]
    realised = total(value_lines(model, accepted, (start, end)))
    remaining = Decimal("250000.00") * 5 / 100  # no PSO reduction agreed for trede 2
    shortfall = max(remaining - realised, Decimal("0.00"))
    penalty = shortfall  # boete × 1
    assert shortfall > 0

    with start_server(url) as base, tabs(browser, base) as new:
        buyer = new()[1]
        to_terms_after_award(buyer, "Schoonmaak gemeentehuis 2027", "GU-2026-101")
        buyer.select_option("#f-modelId", "oost-nederland-v05")
        buyer.fill("#f-reductions-trede2", "0")
        buyer.fill("#f-periodStart", start.isoformat())
        buyer.fill("#f-periodEnd", end.isoformat())
        submit(buyer, "button:has-text('Afspraken vastleggen')")
        assert "de opdrachtnemer realiseert € 12.500,00" in flat(buyer)
        terms_path = "/" + buyer.url.split("#")[0].split("/", 3)[3]

        contractor = new()[1]
        sign_in(contractor, CONTRACTOR)
        contractor.goto("/mijn/social-return")
        main = flat(contractor)
        assert "Te realiseren € 12.500,00 Geaccepteerd" in main and "PSO-korting" not in main
        form = contractor.locator("section.section-box form").first
        form.locator("select[name=kind]").select_option("placement")
        form.locator("select[name=block]").select_option("pw-kort")
        form.locator("input[name=pseudonym]").fill("K-17")
        form.locator("input[name=start]").fill(start.isoformat())
        form.locator("input[name=end]").fill((start + timedelta(days=89)).isoformat())
        form.locator("input[name=hoursPerWeek]").fill("24")
        submit(contractor, "button:has-text('Regel melden')")
        assert "gemeld; de inkoper beoordeelt hem" in flat(contractor)

        def day(offset: int) -> str:
            return (start + timedelta(days=offset)).strftime("%d-%m-%Y")

        contractor.locator("input[id^=f-file-]").first.set_input_files(
            files=[{"name": "kwartaal.csv", "mimeType": "text/csv", "buffer": (
                "Soort;Bouwblok;Pseudoniem;Begin;Einde;Uren per week\n"
                f"plaatsing;pw-kort;K-18;{day(0)};{day(59)};36\n"
                f"werkervaringsplek;werkervaring;W-1;{day(0)};{day(89)};\n").encode()}])
        submit(contractor, "button:has-text('Bestand inlezen')")
        assert "2 regel(s) ingelezen" in flat(contractor)
        first = contractor.locator("tbody tr").first.get_attribute("id")
        line_id = first.removeprefix("regel-")
        contractor.set_input_files(f"#f-evidence-{line_id}", files=[{
            "name": "arbeidscontract-K-17.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        submit(contractor, f"#bewijs-{line_id} button:has-text('Bewijsstuk toevoegen')")
        assert "Bewijsstuk arbeidscontract-K-17.pdf toegevoegd" in flat(contractor)
        shoot(contractor, f"social-return-verhaal-opdrachtnemer-{backend}")

        buyer.goto(terms_path)
        with buyer.expect_download() as got:
            buyer.click("a:has-text('arbeidscontract-K-17.pdf')")
        saved = tmp_path / "bewijs.pdf"
        got.value.save_as(saved)
        assert saved.read_bytes() == PDF
        rows = buyer.locator("#regels tbody tr")
        assert rows.count() == 3
        submit(buyer, "#regels tbody tr:nth-child(1) button:has-text('Accepteren')")
        buyer.fill("#regels tbody tr:nth-child(2) input[name=reason]",
                   "Geen arbeidscontract gezien.")
        submit(buyer, "#regels tbody tr:nth-child(2) button:has-text('Afwijzen')")
        submit(buyer, "#regels tbody tr:nth-child(3) button:has-text('Accepteren')")
        main = flat(buyer)
        assert "Afgewezen: Geen arbeidscontract gezien." in main
        assert f"Geaccepteerd {euro(realised)} van € 12.500,00" in main
        assert "Stand:" in main and "Verwacht aan het einde" in main
        shoot(buyer, f"social-return-verhaal-voortgang-{backend}")

    # Time travel: the same database, the server's day the last day of the contract.
    with start_server(url, env={"PSO_TODAY": end.isoformat()}) as base, \
            tabs(browser, base) as new:
        buyer = new()[1]
        sign_in(buyer, BUYER)
        buyer.goto(terms_path)
        main = flat(buyer)
        assert "Eerder afrekenen kan alleen met een reden" not in main
        buyer.check("#f-settle-confirm")
        submit(buyer, "button:has-text('Contract afrekenen')")
        assert (f"Contract afgerekend: tekort {euro(shortfall)}, te betalen {euro(penalty)}."
                in flat(buyer))
        with buyer.expect_download() as got:
            buyer.click("text=Download eindverantwoording (PDF)")
        text = pdf_text(got.value, tmp_path / "inkoper.pdf")
        figures = (f"Te realiseren € 12.500,00 Gerealiseerd (geaccepteerd) {euro(realised)} "
                   f"Tekort {euro(shortfall)} Boete {euro(penalty)}")
        assert figures in text, text

        contractor = new()[1]
        sign_in(contractor, CONTRACTOR)
        contractor.goto("/mijn/social-return")
        main = flat(contractor)
        assert f"Tekort {euro(shortfall)} Boete {euro(penalty)}" in main
        assert "Regel melden" not in main
        shoot(contractor, f"social-return-verhaal-afgerekend-{backend}")
        with contractor.expect_download() as got:
            contractor.click("text=Download eindverantwoording (PDF)")
        assert figures in pdf_text(got.value, tmp_path / "opdrachtnemer.pdf")
        with contractor.expect_download() as got:
            contractor.click("text=Download regels (CSV)")
        lines = got.value.path().read_text("utf-8-sig")
        assert "Geen arbeidscontract gezien." in lines

        municipality = new()[1]
        sign_in(municipality, MUNICIPALITY)
        municipality.goto("/gemeente")
        submit(municipality, "nav.subnav >> text=Social return")
        main = flat(municipality)
        # Two people stand behind the accepted value and every cell: no figure shown.
        assert "Inkoop Provincie Utrecht 1 1 € 12.500,00 minder dan 5 personen" in main
        assert euro(realised) not in main
        assert "Schoon & Sociaal" not in main and "K-17" not in main
        shoot(municipality, f"gemeente-social-return-{backend}")

