"""Issue 14 in a real browser (Debian chromium, JavaScript off) against `pso serve`'s app with
its outbox sender and a real SMTP server, on SQLite and PostgreSQL:

- a buyer creates a tender, imports the bids from a CSV file, awards it; the winner's
  certificate is revoked, `pso jobs run` (with PSO_TODAY the next day) records a monitoring
  event, the page shows it with the penalty and the buyer receives the mail;
- a municipality creates a scheme that requires approval, approves a company's request
  (made through the API as /mijn does), redeems the voucher, and cancels another one
  through the confirmation page.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from pso.cli.database import add_account, add_user
from pso.clock import today
from pso.settings import Settings
from tests.api.procurement_support import RUNG_STAFF
from tests.browser.support import (
    PASSWORD,
    chromium,
    database,
    serve_with_mail,
    shoot,
    sign_in,
    submit,
    tabs,
)
from tests.conftest import BACKENDS
from tests.factories import organization, submission
from tests.mail_server import MailServer

PSO = str(Path(sys.executable).parent / "pso")
ROOT = Path(__file__).resolve().parent.parent.parent
BUYER, TOWN, COMPANY = "inkoper@example.nl", "gemeente@example.nl", "directie@example.nl"
ALFA, BRAVO, SHOP, CAFE = "41000001", "41000002", "41000003", "41000004"
MOTHER, CHILD = "43000000", "43000001"
LONG_NAME = ("Bravo Wegen- en Waterbouw Combinatie Noord-Holland, Flevoland, Utrecht en "
             "Gelderland voor Infrastructuur, Kunstwerken, Oevers, Fietspaden, Bermen en "
             "Groenonderhoud in de Regio Midden-Nederland Slotwoord B.V.")


def certify(http: httpx.Client, tokens: dict, kvk: str, name: str, rung: str,
            subsidiaries: tuple[tuple[str, str], ...] = ()) -> str:
    http.post("/api/v1/organizations", headers=tokens["admin"], json={
        **organization(kvk, name),
        "subsidiaries": [{"kvk": k, "name": n} for k, n in subsidiaries]}).raise_for_status()
    staff, fte = RUNG_STAFF[rung]
    draft = http.post(f"/api/v1/organizations/{kvk}/assessments", headers=tokens["admin"],
                      json={"submission": submission(staff, total_fte=fte)})
    aid = draft.raise_for_status().json()["id"]
    http.post(f"/api/v1/assessments/{aid}/submit", headers=tokens["admin"]).raise_for_status()
    # Reviewed by one auditor, decided by another (issue 13's separate decision).
    http.post(f"/api/v1/assessments/{aid}/review",
              headers=tokens["reviewer"]).raise_for_status()
    http.post(f"/api/v1/assessments/{aid}/review-completed",
              headers=tokens["reviewer"]).raise_for_status()
    decided = http.post(f"/api/v1/assessments/{aid}/decision", json={"outcome": "approved"},
                        headers=tokens["auditor"])
    return decided.raise_for_status().json()["certificates"][0]["number"]


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    with database(request.param, tmp_path_factory, "portals") as url:
        settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": url})
        tokens = {}
        for role in ("admin", "auditor", "reviewer"):
            _, token = asyncio.run(add_user(settings, "auditor" if role == "reviewer" else role,
                                            f"Browsertest {role}", None, None))
            tokens[role] = {"Authorization": f"Bearer {token}"}
        asyncio.run(add_account(settings, email=BUYER, name="Ina Inkoper", role="procurement",
                                party="30280353", party_name="Inkoop Provincie Utrecht",
                                password=PASSWORD))
        asyncio.run(add_account(settings, email=TOWN, name="Gea Gemeente", role="municipality",
                                party="GM0363", party_name="Amsterdam", password=PASSWORD))
        _, _, company_token = asyncio.run(add_account(
            settings, email=COMPANY, name="Dirk Directie", role="company", party=SHOP,
            party_name="Winkel De Hoek", password=PASSWORD, with_token=True))
        tokens["company"] = {"Authorization": f"Bearer {company_token}"}
        with serve_with_mail(url) as (base, mail):
            with httpx.Client(base_url=base, timeout=60) as http:
                numbers = {"alfa": certify(http, tokens, ALFA, "Alfa Bouw B.V.", "trede1"),
                           "bravo": certify(http, tokens, BRAVO, LONG_NAME, "trede2"),
                           "shop": certify(http, tokens, SHOP, "Winkel De Hoek", "basistrede")}
                http.post("/api/v1/organizations", json=organization(CAFE, "Café Het Plein"),
                          headers=tokens["admin"]).raise_for_status()
            yield {"base": base, "mail": mail, "backend": request.param, "url": url,
                   "tokens": tokens, "numbers": numbers}


@pytest.fixture(scope="module")
def browser(site) -> Iterator[object]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def tab(browser, site):
    with tabs(browser, site["base"]) as new:
        yield new()[1]


def test_buyer_awards_and_a_revocation_raises_a_monitoring_alert(tab, site) -> None:
    backend = site["backend"]
    sign_in(tab, BUYER)
    assert tab.url.endswith("/inkoop")
    tab.fill("#f-title", "Onderhoud provinciale wegen 2027")
    tab.fill("#f-reference", "PU-2026-044")
    tab.fill("#f-deadline", today().isoformat())
    tab.fill("#f-policy-values-trede1", "3")
    tab.fill("#f-policy-values-trede2", "5")
    submit(tab, "text=Aanbesteding vastleggen")
    assert "Aanbesteding 'Onderhoud provinciale wegen 2027' vastgelegd." in tab.inner_text("main")
    tender_url = tab.url

    # An unreadable file is a form error on the tender page (issue 22.2); an .xlsx is read.
    tab.set_input_files("#f-bestand", files=[{"name": "inschrijvingen.xlsx",
                                              "mimeType": "application/octet-stream",
                                              "buffer": b"PK\x03\x04 kapot"}])
    submit(tab, "text=Inlezen")
    assert "Het bestand is niet ingelezen" in tab.inner_text("main")
    assert "Dit is geen geldig Excel-bestand (.xlsx)." in tab.inner_text("main")
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    for row in (["naam", "kvk", "prijs", "certificaat"],
                ["Alfa Bouw B.V.", ALFA, 100000, site["numbers"]["alfa"]],
                [LONG_NAME, BRAVO, 101500, site["numbers"]["bravo"]],
                ["Charlie Zonder", "41000009", 99000, None]):
        book.active.append(row)
    xlsx = BytesIO()
    book.save(xlsx)
    tab.set_input_files("#f-bestand", files=[{
        "name": "inschrijvingen.xlsx", "buffer": xlsx.getvalue(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    submit(tab, "text=Inlezen")
    assert "3 inschrijvingen uit het bestand toegevoegd" in tab.inner_text("main")
    ranking = tab.locator("table.ranking tbody tr")
    assert ranking.count() == 3
    assert LONG_NAME in ranking.nth(0).inner_text()  # 101.500 - 5 % = 96.425
    shoot(tab, f"inkoop-aanbesteding-{backend}")

    with tab.expect_download() as download:
        tab.click("text=Download PDF")
    path = download.value.path()
    from pypdf import PdfReader

    text = " ".join(PdfReader(path).pages[0].extract_text().split())
    # The long name whole, up to its last word (it used to be cut off after three lines).
    assert "Bravo Wegen- en Waterbouw" in text and "Slotwoord B.V." in text

    assert tab.locator("#f-award-bidder").input_value() == BRAVO  # the first-ranked, preselected
    submit(tab, "text=Gunning vastleggen")
    assert "/bewaking" in tab.url
    assert "Geen meldingen" in tab.inner_text("main")
    shoot(tab, f"inkoop-bewaking-{backend}")

    # The winner's certificate is revoked; the daily job runs (time travel: tomorrow).
    revoked = httpx.post(f"{site['base']}/api/v1/certificates/{site['numbers']['bravo']}/revocation",
                         json={"reason": "Onjuiste opgave"}, headers=site["tokens"]["auditor"])
    assert revoked.status_code == 200, revoked.text
    pso_jobs_run(site, today() + timedelta(days=1))
    tab.goto(tender_url + "/bewaking")
    main = tab.inner_text("main")
    assert "Ingetrokken" in main and "Trede niet gehandhaafd" in main
    assert "€ 7.612,50" in main  # 5 % of 101.500,00 = 5.075,00 × 1,5
    shoot(tab, f"inkoop-bewaking-melding-{backend}")

    mail: MailServer = site["mail"]
    [alert] = mail.wait_until(lambda m: m["To"] == BUYER
                              and "houdt de gegunde trede niet vast" in m["Subject"])
    body = mail.text(alert)
    assert "€ 7.612,50" in body and "/bewaking" in body


def pso_jobs_run(site, day) -> None:
    """`pso jobs run` as the scheduler would on `day` (time travel with PSO_TODAY)."""
    env = {**os.environ, "PSO_ENV": "test", "PSO_DATABASE_URL": site["url"],
           "PSO_TODAY": day.isoformat(), "PSO_LOG_LEVEL": "WARNING"}
    ran = subprocess.run([PSO, "jobs", "run"], capture_output=True, text=True, env=env,
                         timeout=120, check=False, cwd=ROOT)
    assert ran.returncode == 0, ran.stderr


def test_a_subsidiary_winner_is_monitored_through_a_suspension(tab, site) -> None:
    """Issue 22 item 1: the winner bids under a subsidiary's KvK on the mother's certificate;
    its suspension reaches the monitoring page, the /inkoop overview and the buyer's mail."""
    backend, tokens = site["backend"], site["tokens"]
    with httpx.Client(base_url=site["base"], timeout=60) as http:
        ladder = certify(http, tokens, MOTHER, "Moeder Schoon B.V.", "trede3",
                         subsidiaries=((CHILD, "Schoon Dochter B.V."),))
    sign_in(tab, BUYER)
    tab.fill("#f-title", "Schoonmaak stadskantoor 2027")
    tab.fill("#f-reference", "PU-2026-051")
    tab.fill("#f-deadline", today().isoformat())
    tab.fill("#f-policy-values-trede3", "10")
    submit(tab, "text=Aanbesteding vastleggen")
    tender_url = tab.url
    tab.fill("#f-bidder", "Schoon Dochter B.V.")
    tab.fill("#f-kvk", CHILD)
    tab.fill("#f-price", "206.000,00")
    tab.fill("#f-certificateNumber", ladder)
    submit(tab, "button:has-text('Inschrijving toevoegen')")
    row = tab.locator("table.ranking tbody tr").first.inner_text()
    assert "Trede 3" in row and "€ 20.600,00" in row  # 10 % of 206.000,00
    submit(tab, "text=Gunning vastleggen")
    main = tab.inner_text("main")
    assert ladder in main and "Geen certificaat uit het PSO-register" not in main

    suspended = httpx.post(f"{site['base']}/api/v1/certificates/{ladder}/suspension",
                           json={"reason": "Onderzoek naar de opgave"},
                           headers=tokens["auditor"])
    assert suspended.status_code == 200, suspended.text
    pso_jobs_run(site, today() + timedelta(days=1))
    tab.goto(tender_url + "/bewaking")
    main = tab.inner_text("main")
    assert "Geschorst" in main and "Trede niet gehandhaafd" in main
    assert "€ 30.900,00" in main  # 20.600,00 × 1,5
    shoot(tab, f"inkoop-bewaking-dochter-{backend}")
    tab.goto("/inkoop")
    overview = tab.locator("#aanbestedingen tr", has_text="Schoonmaak stadskantoor").inner_text()
    assert "Geschorst:" in overview and "€ 30.900,00" in overview
    assert "Beoordeling vastgesteld" not in overview
    shoot(tab, f"inkoop-overzicht-melding-{backend}")

    mail: MailServer = site["mail"]
    for _ in range(100):
        alerts = [m for m in mail.messages if m["To"] == BUYER and ladder in mail.text(m)]
        if alerts:
            break
        tab.wait_for_timeout(200)
    assert alerts, "no alert mail for the subsidiary's certificate"
    body = mail.text(alerts[-1])
    assert "Schoon Dochter B.V." in body and "geschorst" in body and "€ 30.900,00" in body


def test_municipality_scheme_request_approved_redeemed_and_cancelled(tab, site) -> None:
    backend = site["backend"]
    sign_in(tab, TOWN)
    assert tab.url.endswith("/gemeente")
    submit(tab, "text=Nieuwe regeling")
    tab.fill("#f-title", "Voucher PSO-meting voor winkels en horeca in de binnenstad "
                         "van Amsterdam, tranche 2026")
    tab.fill("#f-voucherAmount", "1.250,00")
    tab.fill("#f-budget", "5.000")
    tab.fill("#f-applicationOpensOn", (today() - timedelta(days=1)).isoformat())
    tab.fill("#f-applicationClosesOn", (today() + timedelta(days=90)).isoformat())
    tab.fill("#f-voucherValidityDays", "120")
    assert tab.locator("#f-requiresApproval").is_checked()
    submit(tab, "text=Regeling aanmaken")
    assert "aangemaakt" in tab.inner_text("main")
    scheme_url = tab.url
    sid = scheme_url.rsplit("/", 1)[1]

    # The company asks through the API (as /mijn does): requested, budget reserved.
    asked = httpx.post(f"{site['base']}/api/v1/voucher-schemes/{sid}/vouchers",
                       json={"kvk": SHOP, "fte": "6,5".replace(",", ".")},
                       headers=site["tokens"]["company"])
    assert asked.status_code == 201 and asked.json()["status"] == "requested", asked.text
    tab.goto(scheme_url)
    row = tab.locator("table.requests tbody tr")
    assert row.count() == 1
    assert SHOP in row.inner_text() and "Amsterdam" in row.inner_text()
    shoot(tab, f"gemeente-aanvraag-{backend}")
    submit(tab, "table.requests button:has-text('Goedkeuren')")
    assert "goedgekeurd" in tab.inner_text("main")
    mail: MailServer = site["mail"]
    # Wait for the mail this step sends, not for any mail to the company.
    [_granted] = mail.wait_until(lambda m: m["To"] == COMPANY and "toegekend" in m["Subject"])

    code = asked.json()["code"]
    tab.goto(f"/gemeente/vouchers/{code}/verzilveren")
    tab.fill("#f-invoiceAmount", "1.100,00")
    tab.fill("#f-certificateNumber", site["numbers"]["shop"])
    submit(tab, "button:has-text('Verzilveren')")
    assert "€ 1.100,00 uitbetaald" in tab.inner_text("main")

    # Issued directly, then cancelled through the confirmation page.
    tab.fill("#f-kvk", CAFE)
    tab.fill("#f-fte", "3")
    submit(tab, "#uitgeven button")
    assert "uitgegeven aan Café Het Plein" in tab.inner_text("main")
    submit(tab, "a:has-text('Intrekken…')")
    assert "Ja, voucher intrekken" in tab.inner_text("main")
    shoot(tab, f"gemeente-intrekken-bevestigen-{backend}")
    tab.fill("#f-reason", "Dubbel aangevraagd")
    submit(tab, "button:has-text('Ja, voucher intrekken')")
    assert "is ingetrokken" in tab.inner_text("main")
    assert tab.locator("svg.uptake-chart").count() == 1
    shoot(tab, f"gemeente-regeling-{backend}")
    tab.goto("/gemeente")
    shoot(tab, f"gemeente-overzicht-{backend}")
    scheme = httpx.get(f"{site['base']}/api/v1/vouchers/{code}", headers=site["tokens"]["company"])
    assert scheme.json()["status"] == "redeemed" and scheme.json()["redeemedAmount"] == "1100.00"
