"""The web pages in a real browser: Debian chromium driven by Playwright, against the real
server (uvicorn in a subprocess, tests/servers.py) on a fresh migrated SQLite database.

JavaScript is switched off in the browser. Screenshots (desktop and phone width) go to
test-artifacts/browser/ for CI artefacts.
Every CSP violation or script error the browser reports fails the test that caused it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from pso.cli.database import add_account, add_user
from pso.clock import today
from pso.settings import Settings
from tests.browser.support import DESKTOP, chromium, database, shoot, submit, tabs
from tests.factories import organization, submission
from tests.servers import start_server

GREEN, BAKERY = "12345678", "34567890"
MUNICIPALITY_PASSWORD = "Voucher-Regeling-2026"


# --- a server with data, made through its own API ------------------------------------


def _seed(base: str, tokens: dict[str, dict[str, str]]) -> dict[str, str]:
    """Two certified organisations (one certificate revoked) and a voucher scheme."""
    with httpx.Client(base_url=base, timeout=30) as http:
        numbers = {}
        for kvk, name, staff in ((GREEN, "Groen & Schoon Hoveniers", 2),
                                 (BAKERY, "Bakkerij De Korenaar", 1)):
            http.post("/api/v1/organizations", json=organization(kvk, name),
                      headers=tokens["admin"]).raise_for_status()
            draft = http.post(f"/api/v1/organizations/{kvk}/assessments",
                              json={"submission": submission(staff)}, headers=tokens["admin"])
            aid = draft.raise_for_status().json()["id"]
            http.post(f"/api/v1/assessments/{aid}/submit",
                      headers=tokens["admin"]).raise_for_status()
            http.post(f"/api/v1/assessments/{aid}/review",
                      headers=tokens["reviewer"]).raise_for_status()
            http.post(f"/api/v1/assessments/{aid}/review-completed",
                      headers=tokens["reviewer"]).raise_for_status()
            decided = http.post(f"/api/v1/assessments/{aid}/decision",
                                json={"outcome": "approved"}, headers=tokens["auditor"])
            numbers[kvk] = decided.raise_for_status().json()["certificates"][0]["number"]
        http.post(f"/api/v1/certificates/{numbers[BAKERY]}/revocation",
                  json={"reason": "Onjuiste opgave van medewerkers"},
                  headers=tokens["auditor"]).raise_for_status()
        day = today()
        scheme = http.post("/api/v1/voucher-schemes", headers=tokens["municipality"], json={
            "title": "Voucher PSO-meting MKB", "municipalityCode": "GM0363",
            "voucherAmount": "1500.00", "budget": "6000.00",
            "applicationOpensOn": (day - timedelta(days=10)).isoformat(),
            "applicationClosesOn": (day + timedelta(days=60)).isoformat(),
            "voucherValidityDays": 180, "maxFte": "249.99",
            "eligibleMunicipalityCodes": ["GM0363"]})
        return {"green": numbers[GREEN], "bakery": numbers[BAKERY],
                "scheme": str(scheme.raise_for_status().json()["id"])}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    with database("sqlite", tmp_path_factory, "browser") as url:
        settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": url})
        tokens = {}
        for key, role, code in (("admin", "admin", None), ("auditor", "auditor", None),
                                ("reviewer", "auditor", None),
                                ("municipality", "municipality", "GM0363")):
            _, token = asyncio.run(add_user(settings, role, f"Browsertest {key}", None, code))
            tokens[key] = {"Authorization": f"Bearer {token}"}
        asyncio.run(add_account(settings, email="gemeente@example.nl",
                                name="Browsertest gemeente", role="municipality", party="GM0363",
                                party_name="Gemeente Amsterdam", password=MUNICIPALITY_PASSWORD))
        with start_server(url) as base:
            yield {"base": base, "tokens": tokens, **_seed(base, tokens)}


@pytest.fixture(scope="module")
def browser(site) -> Iterator[object]:
    with chromium() as browser:  # after `site`, which seeds with asyncio.run
        yield browser


@pytest.fixture
def page(browser, site):
    """A fresh browser context (own cookies) whose console errors fail the test."""
    with tabs(browser, site["base"]) as new:
        yield new()[1]


def fill_bids(page, bids: list[tuple[str, str, str, str]]) -> None:
    """/aanbesteding's bid rows: (name, KvK number, price, certificate number) each."""
    for i, (name, kvk, price, number) in enumerate(bids):
        page.fill(f"#f-bids-{i}-bidder", name)
        page.fill(f"#f-bids-{i}-kvk", kvk)
        page.fill(f"#f-bids-{i}-price", price)
        page.fill(f"#f-bids-{i}-certificateNumber", number)


# --- the tests -------------------------------------------------------------------------


def test_home_is_keyboard_friendly(page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.locator(":focus").inner_text() == "Naar de inhoud"
    for audience in ("Voor bedrijven", "Voor certificerende instellingen", "Voor inkopers",
                     "Voor gemeenten"):
        assert page.get_by_role("heading", name=audience).is_visible()
    shoot(page, "home")


def test_calculator_shows_the_rung(page) -> None:
    page.goto("/rekentool")
    page.fill("#f-totalFte", "20")
    for i, hours in enumerate(("40", "32,5")):
        page.fill(f"#f-employees-{i}-reference", f"mw-{i + 1}")
        page.select_option(f"#f-employees-{i}-startingPosition", "wajong")
        page.select_option(f"#f-employees-{i}-contractType", "regular")
        page.fill(f"#f-employees-{i}-hoursPerWeek", hours)
        page.fill(f"#f-employees-{i}-employmentStart", "2024-01-01")
    for criterion in ("suitableWork", "integration", "development", "guidance"):
        page.check(f"#f-quality-{criterion}")
    submit(page, "button.primary")
    assert page.inner_text(".rung-badge-label") == "Trede 2"
    assert "Uw score: 9,06 %" in page.text_content("svg.ladder-chart")
    assert "0,38 FTE" in page.inner_text(".next-rung")
    shoot(page, "rekentool-uitkomst")


def test_add_row_without_javascript_keeps_input(page) -> None:
    page.goto("/rekentool")
    page.fill("#f-totalFte", "12,5")
    page.fill("#f-employees-2-reference", "mw-3")
    submit(page, "button[value=add_employee]")
    assert page.input_value("#f-totalFte") == "12,5"
    assert page.input_value("#f-employees-2-reference") == "mw-3"
    assert page.locator("#f-employees-3-reference").is_visible()


def test_upload_with_a_bad_row_names_it(page) -> None:
    page.goto("/rekentool")
    page.fill("#f-totalFte", "20")
    csv = ("referentie;uitgangspositie;contractvorm;uren per week;in dienst\n"
           "mw-1;wajong;regulier;32,5;01-02-2024\n"
           "mw-2;wajong;regulier;veertig;01-02-2024\n")
    page.set_input_files("#f-file", files=[{"name": "medewerkers.csv", "mimeType": "text/csv",
                                            "buffer": csv.encode()}])
    submit(page, "button[value=upload]")
    assert "Rij 3, kolom uren per week" in page.inner_text("#f-file-error")
    assert page.input_value("#f-totalFte") == "20"
    shoot(page, "rekentool-upload-fout", phone=False)


def test_register_search_and_revoked_certificate(page, site) -> None:
    page.goto("/register")
    page.fill("#f-q", "korenaar")
    submit(page, "form.search button")
    assert "1 certificaat" in page.inner_text(".results-count")
    shoot(page, "register-zoeken")
    submit(page, "text=Bakkerij De Korenaar")
    assert page.url.endswith(f"/register/{site['bakery']}")
    assert page.inner_text(".verdict-label") == "Ingetrokken"
    assert "Onjuiste opgave van medewerkers" in page.inner_text(".notice")
    shoot(page, "certificaat-ingetrokken")


def test_tender_calculation(page, site) -> None:
    page.goto("/aanbesteding")
    page.fill("#f-policy-values-trede2", "5")
    fill_bids(page, [("Bakkerij De Korenaar", BAKERY, "97.000,00", site["bakery"]),
                     ("Groen & Schoon Hoveniers", GREEN, "100.000,00", site["green"])])
    submit(page, "button.primary")
    first = page.locator("table.ranking tbody tr").first
    assert "Groen & Schoon Hoveniers" in first.inner_text()
    assert "€ 95.000,00" in first.inner_text()  # trede 2: 5 % off 100.000
    assert "ingetrokken" in page.inner_text("table.ranking")
    assert_fits(page, "table.ranking")
    shoot(page, "aanbesteding-rangorde")
    with page.expect_download() as download:
        page.click("button[value=csv]")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[1].startswith("1;Groen & Schoon Hoveniers;12345678;100000,00")


def test_municipality_logs_in_and_issues_a_voucher(page, site) -> None:
    page.goto("/gemeente")
    assert "/inloggen" in page.url  # the municipality pages need an account
    shoot(page, "gemeente-inloggen", phone=False)
    page.fill("#email", "gemeente@example.nl")
    page.fill("#password", MUNICIPALITY_PASSWORD)
    submit(page, "form.login button")
    assert page.url.endswith("/gemeente")  # back where the visitor wanted to go
    assert "Voucher PSO-meting MKB" in page.inner_text("main")
    assert page.locator("svg.budget-chart").is_visible()
    shoot(page, "gemeente-overzicht")
    submit(page, "text=Vouchers bekijken en uitgeven")
    page.fill("#f-kvk", GREEN)
    page.fill("#f-fte", "12,5")
    submit(page, "#uitgeven button")
    assert "uitgegeven aan Groen & Schoon Hoveniers" in page.inner_text(".notice")
    assert "Uitgegeven" in page.inner_text("table.vouchers")
    assert "Gereserveerd (open vouchers): € 1.500,00" in page.inner_text(".legend")
    assert_fits(page, "table.vouchers")  # the action column is not cut off at 1280 px
    shoot(page, "gemeente-voucher-uitgegeven")
    submit(page, "text=Uitloggen")
    assert page.locator("#password").is_visible()


def test_verification_page_refuses_an_impossible_date(page, site) -> None:
    page.goto(f"/register/{site['green']}?on=31-02-2026")
    alert = page.get_by_role("alert")
    assert "De datum 31-02-2026 bestaat niet." in alert.inner_text()
    assert page.locator(".verdict-label").count() == 0  # no status for a day that does not exist
    shoot(page, "certificaat-datum-bestaat-niet")


def test_calculator_ineligible_leads_with_the_reason(page) -> None:
    page.goto("/rekentool")
    page.fill("#f-totalFte", "1,5")
    for criterion in ("suitableWork", "integration", "development", "guidance"):
        page.check(f"#f-quality-{criterion}")
    submit(page, "button.primary")
    assert "Geen trede mogelijk" in page.inner_text(".ineligible")
    assert page.locator("svg.ladder-chart").count() == 0
    shoot(page, "rekentool-niet-in-aanmerking")


def test_tender_policy_units_follow_the_mode(page) -> None:
    page.goto("/aanbesteding")
    label = page.locator("label[for=f-policy-values-trede2]")
    assert label.inner_text().strip() == "Trede 2 (%)"
    page.check("#mode-amount")
    assert label.inner_text().strip() == "Trede 2 (€)"
    shoot(page, "aanbesteding-beleid-bedrag", phone=False)


def assert_fits(tab, table: str) -> None:
    """At 1280 px the whole table is on screen: no column cut off behind a scrollbar."""
    box = tab.locator(table).bounding_box()
    region = tab.locator(table).locator("xpath=..").bounding_box()
    assert box["x"] + box["width"] <= region["x"] + region["width"] + 1, (box, region)
    assert box["x"] + box["width"] <= DESKTOP["width"], box


def test_tender_table_fits_a_1280_screen_with_large_amounts(page, site) -> None:
    page.goto("/aanbesteding")
    page.fill("#f-policy-values-trede2", "5")
    fill_bids(page, [("Aannemingsmaatschappij Groen & Schoon Hoveniers B.V.", GREEN,
                      "12.345.678,90", site["green"]),
                     ("Bakkerij De Korenaar", BAKERY, "11.999.999,99", site["bakery"]),
                     ("Bouwcombinatie Noord", "87654321", "12.000.000,00", "")])
    submit(page, "button.primary")
    assert "€ 12.345.678,90" in page.inner_text("table.ranking")
    assert_fits(page, "table.ranking")
    shoot(page, "aanbesteding-grote-bedragen")
