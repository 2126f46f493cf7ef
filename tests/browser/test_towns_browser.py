"""Municipalities by name in a real browser (Debian chromium, JavaScript off), on PostgreSQL,
or SQLite without it (tests/browser/support.py, one_backend; issue 22, items 5 and 6): a
company registers by choosing its municipality from the list, a municipality writes a scheme
naming municipalities, the company applies and downloads its voucher PDF, and the municipality
follows the voucher page back to its scheme. No CBS code is shown anywhere a person reads.
Screenshots at 1280 and 390 px."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest
from pypdf import PdfReader

from pso.cli.database import add_account
from pso.settings import Settings
from pso.voucher_codes import display
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

TOWN, COMPANY, KVK = "gemeente@apeldoorn.example.nl", "hr@ijssel.example.nl", "34567812"
COMPANY_NAME = "Bakkerij De IJssel B.V."
CODE = re.compile(r"GM\d{4}")


@pytest.fixture(scope="module", params=one_backend("postgres"))
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    with database(request.param, tmp_path_factory, "towns") as url:
        settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": url})
        asyncio.run(add_account(settings, email=TOWN, name="Gijs Gemeente", role="municipality",
                                party="GM0200", party_name="Gemeente Apeldoorn",
                                password=PASSWORD))
        asyncio.run(add_account(settings, email=COMPANY, name="Hanna HR", role="company",
                                party=KVK, party_name=COMPANY_NAME, password=PASSWORD))
        with serve_with_mail(url) as (base, _):
            yield {"base": base, "backend": request.param,
                   "tmp": tmp_path_factory.mktemp("downloads")}


def no_codes(tab) -> str:
    text = tab.inner_text("body")
    assert not CODE.search(text), CODE.search(text)
    return text


def test_by_name_from_registration_to_the_voucher_pdf(site) -> None:
    backend = site["backend"]
    with chromium() as browser, tabs(browser, site["base"]) as new:
        _, company = new()
        _, town = new()

        # The company registers, choosing Zutphen by name from the list.
        sign_in(company, COMPANY)
        company.goto("/mijn/organisatie")
        company.select_option("#f-municipalityCode", label="Zutphen")
        submit(company, "form#invoer button.primary")
        assert "Uw organisatie is geregistreerd" in company.inner_text("main")
        company.goto("/mijn/organisatie")
        assert company.locator("#f-municipalityCode option:checked").inner_text() == "Zutphen"
        no_codes(company)
        shoot(company, f"towns-registratie-{backend}")

        # The municipality names the municipalities of its scheme; a typo is said once.
        sign_in(town, TOWN)
        submit(town, "text=Nieuwe regeling")
        assert town.input_value("#f-eligibleMunicipalityCodes") == "Apeldoorn"
        town.fill("#f-title", "PSO-voucher MKB Apeldoorn en Zutphen 2026")
        town.fill("#f-voucherAmount", "1.250,00")
        town.fill("#f-budget", "5.000")
        town.uncheck("#f-requiresApproval")
        town.fill("#f-eligibleMunicipalityCodes", "Apeldoorn, Zutfen")
        submit(town, "text=Regeling aanmaken")
        text = no_codes(town)
        assert text.count("De gemeente 'Zutfen' kennen wij niet. Bedoelt u Zutphen?") == 1
        shoot(town, f"towns-regeling-fout-{backend}")
        town.fill("#f-eligibleMunicipalityCodes", "Apeldoorn, Zutphen")
        submit(town, "text=Regeling aanmaken")
        text = no_codes(town)
        assert "aangemaakt" in text
        assert "minder dan 250 fte, gevestigd in Apeldoorn, Zutphen" in text
        scheme_url = town.url
        shoot(town, f"towns-regeling-{backend}")

        # The company applies and downloads the voucher PDF for the body's invoice.
        company.goto("/mijn/vouchers")
        box = company.locator(".section-box", has_text="PSO-voucher MKB Apeldoorn")
        assert "Apeldoorn" in box.inner_text() and "minder dan 250 fte" in box.inner_text()
        box.locator("input[name=fte]").fill("12,5")
        with company.expect_navigation():
            box.locator("button").click()
        text = no_codes(company)
        assert "is toegekend: € 1.250,00" in text
        shoot(company, f"towns-mijn-vouchers-{backend}")
        with company.expect_download() as wait:
            company.click("text=Pdf downloaden")
        download = wait.value
        path = site["tmp"] / f"voucher-{backend}.pdf"
        download.save_as(path)
        raw = path.read_bytes()
        assert raw.startswith(b"%PDF")
        pdf = " ".join(" ".join(p.extract_text() for p in PdfReader(str(path)).pages).split())
        code = download.suggested_filename.removeprefix("voucher-").removesuffix(".pdf")
        assert display(code) in pdf and "€ 1.250,00" in pdf and "Gemeente Apeldoorn" in pdf
        assert not CODE.search(pdf)

        # The municipality opens the public voucher page and goes back to its scheme.
        town.goto(f"/vouchers/{code}")
        no_codes(town)
        assert town.inner_text(".verdict-label") == "Uitgegeven"
        assert town.locator(".verdict-label").evaluate(
            "e => getComputedStyle(e).color") == "rgb(255, 255, 255)"  # not green on green
        shoot(town, f"towns-voucherpagina-{backend}")
        submit(town, "text=Naar de regeling")
        assert town.url == scheme_url
        text = no_codes(town)
        assert COMPANY_NAME in text and "Zutphen" in text
