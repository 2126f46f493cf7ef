"""The whole certification journey in one browser test (issue 21), with two browser profiles
side by side, on SQLite and PostgreSQL: a company with a subsidiary fills the wizard and
submits to a body; auditor Ans takes it in the workbench, reads it in Dutch, corrects it
(an employee removed, a number changed, a note) and asks a question; the company reads the
correction in Dutch, answers and resubmits; Ans completes the review; auditor Bert, who could
not decide before, approves; the company reads the approval and downloads the outcome PDF.
What the company and the auditors read is asserted at every step."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pyotp
import pytest
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.auth import SYSTEM
from pso.db.engine import make_engine
from pso.services import accounts
from tests.browser.support import (
    PASSWORD,
    body_with_auditors,
    chromium,
    database,
    mail_with_subject,
    serve_with_mail,
    shoot,
    sign_in,
    submit,
    tabs,
)
from tests.conftest import BACKENDS
from tests.mail_server import MailServer

KVK, SUBSIDIARY, COMPANY = "23456789", "98765432", "hr@bouwgroep.example.nl"
BODY = "PSO Certificering Noord B.V."
AUDITORS = {"ans@psocert.example.nl": ("Ans Beoordelaar", pyotp.random_base32(32)),
            "bert@psocert.example.nl": ("Bert Beslisser", pyotp.random_base32(32))}
CSV = ("referentie;uitgangspositie;contractvorm;uren per week;in dienst\n"
       "M-1;Wajong;Regulier dienstverband;40;01-01-2024\n"
       "M-2;Participatiewet / WWB / IOAW / IOAZ-uitkering;Regulier dienstverband;36;01-03-2024\n"
       "M-3;Wsw-indicatie;Begeleid werken;32;01-06-2023\n")
MOTIVATIONS = {"suitableWork": "Elke baan is op maat gemaakt met de jobcoach.",
               "integration": "Iedereen werkt in een gewoon team op de bouwplaats.",
               "development": "Twee keer per jaar een ontwikkelgesprek.",
               "guidance": "Een vaste werkbegeleider per ploeg."}
# What a person must never read: enum codes, ISO dates, Python booleans, dotted decimals.
CODES = re.compile(r"\b(wajong|participatiewet|wsw|regular|supported|pso_certified|True|False|"
                   r"None)\b|\d{4}-\d{2}-\d{2}|\d\.\d")


async def _people(url: str) -> None:
    """The body with its two auditors (TOTP on) and the company's first person."""
    engine = make_engine(url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as session, session.begin():
            await body_with_auditors(session, "PSONOORD", BODY, AUDITORS)
            company = await accounts.ensure_party(session, "applicant", KVK, "Bouwgroep Oost BV")
            await accounts.create_account(session, SYSTEM, email=COMPANY, name="Hanna HR",
                                          role="company", party=company, password=PASSWORD)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    with database(request.param, tmp_path_factory, "journey") as url:
        asyncio.run(_people(url))
        with serve_with_mail(url) as (base, mail):
            yield {"base": base, "mail": mail, "backend": request.param,
                   "tmp": tmp_path_factory.mktemp("files")}


@pytest.fixture
def people(site):
    """person(email) -> a signed-in tab in a browser profile of its own (auditors with their
    TOTP code); every page they reach passes the accessibility gate."""
    with chromium() as browser, tabs(browser, site["base"]) as new:
        def person(email: str):
            _, tab = new()
            sign_in(tab, email)
            if email in AUDITORS:
                assert "/inloggen/code" in tab.url
                tab.fill("#code", pyotp.TOTP(AUDITORS[email][1]).now())
                submit(tab, "form.login button")
                assert tab.url.endswith("/beoordeling"), tab.url
            return tab

        yield person


def save(tab) -> None:
    submit(tab, "form#invoer button.primary")


def test_certification_journey(people, site) -> None:
    backend = site["backend"]
    company = people(COMPANY)

    # --- 1. the company: organisation with a subsidiary, the wizard, submitted to the body ---
    company.goto("/mijn/organisatie")
    company.select_option("#f-municipalityCode", label="Utrecht")
    company.fill("#f-subsidiaries-0-kvk", SUBSIDIARY)
    company.fill("#f-subsidiaries-0-name", "Oost Infra BV")
    save(company)
    assert "geregistreerd" in company.inner_text("main")
    company.goto("/mijn/aanvraag/nieuw")
    assert "Oost Infra BV" in company.inner_text("main")
    company.fill("#f-period-start", "2025-01-01")
    company.fill("#f-period-end", "2025-12-31")
    company.fill("#f-totalFte", "20")
    save(company)
    aid = int(re.search(r"/mijn/aanvraag/(\d+)/stap/2", company.url).group(1))
    csv_path = site["tmp"] / "medewerkers.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    company.set_input_files("#f-file", str(csv_path))
    submit(company, "form#invoer button[value=upload]")
    assert "3 medewerker(s) ingelezen" in company.inner_text("main")
    save(company)
    assert "/stap/3" in company.url
    company.fill("#f-purchases-0-supplierName", "Groenbedrijf Werkt BV")
    company.fill("#f-purchases-0-supplierKvk", "34567890")
    company.select_option("#f-purchases-0-supplierKind", "pso_certified")
    company.fill("#f-purchases-0-invoiceAmount", "50.000")
    company.fill("#f-purchases-0-supplierTurnover", "1.000.000")
    company.fill("#f-purchases-0-supplierFte", "10")
    company.fill("#f-purchases-0-supplierDirectPct", "40")
    save(company)
    assert "/stap/4" in company.url, company.inner_text("main")
    submit(company, "form.actions button.primary")
    for key, text in MOTIVATIONS.items():
        company.check(f"#f-quality-{key}")
        company.fill(f"#f-motivations-{key}", text)
    save(company)
    company.check("#body-PSONOORD")
    save(company)
    company.check("#f-confirm")
    save(company)
    assert company.url.split("#")[0].endswith(f"/mijn/aanvraag/{aid}")
    assert "Ingediend" in company.inner_text("main")

    # --- 2. Ans takes it, reads it in Dutch, corrects it and asks a question ------------------
    ans = people("ans@psocert.example.nl")
    submit(ans, f"#new a[href='/beoordeling/aanvragen/{aid}']")
    submit(ans, "#take")
    assert ans.inner_text("#status") == "In beoordeling"
    assert ans.inner_text("#subsidiaries") == f"Oost Infra BV KvK {SUBSIDIARY}"
    quality = ans.inner_text("#quality")
    assert "Passend werk: ja" in quality and "Begeleiding: ja" in quality
    for text in MOTIVATIONS.values():
        assert f"Motivering van het bedrijf: {text}" in quality
    employees = ans.inner_text("#employees")
    assert "Participatiewet / WWB / IOAW / IOAZ-uitkering" in employees
    assert "Begeleid werken" in employees and "1 juni 2023" in employees
    main = ans.inner_text("main")
    assert "PSO-gecertificeerde leverancier" in main and "€ 50.000,00" in main
    assert not CODES.search(employees), employees
    submit(ans, "#correct")
    ans.check("[name='employees[2].remove']")  # M-3
    ans.fill("[name='employees[1].hoursPerWeek']", "30,5")  # M-2
    note = "M-3 werkt sinds mei via het SW-bedrijf; M-2 werkt 30,5 uur volgens de loonstrook."
    ans.fill("#note", note)
    submit(ans, "#preview-button")
    rows = ans.locator("#diff tbody tr").all_inner_texts()
    assert len(rows) == 2, rows
    diff = ans.inner_text("#diff")
    assert "M-2: uren per week" in diff and "36" in diff and "30,5" in diff
    assert "M-3 (medewerker)" in diff and "(verwijderd)" in diff
    assert not CODES.search(diff), diff
    # After: M-1 1 + M-2 30,5/40 = 1,7625 weighted FTE on 20 FTE = 8,8125 %; the purchase
    # 50.000/1.000.000 × 10 FTE × 40 % = 0,2 FTE, 0,2/20,2 = 0,9901 %; 9,80 % < trede 3's 10,80 %.
    rescored = ans.locator("#rescored tbody tr").all_inner_texts()
    assert rescored[0].split("\t") == ["Trede", "Trede 3", "Trede 2"], rescored
    assert rescored[1].split("\t")[2] == "9,80 %", rescored
    rung = "Trede 2"
    shoot(ans, f"reis-correctie-{backend}", phone=False)
    submit(ans, "#save")
    assert "Correctie opgeslagen (2 wijzigingen)" in ans.inner_text("main")
    question = "Hoe begeleidt u M-1 op de bouwplaats?"
    ans.fill("#message", question)
    submit(ans, "#ask")
    assert ans.inner_text("#status") == "Informatie gevraagd"
    assert question in ans.inner_text("blockquote.question")

    # --- 3. the company reads the correction in Dutch, answers and resubmits ------------------
    company.goto(f"/mijn/aanvraag/{aid}")
    main = company.inner_text("main")
    assert "Informatie gevraagd" in main and question in main
    corrections = company.inner_text("#correcties")
    assert "Toelichting van de auditor" in corrections and note in corrections
    assert "De auditor heeft 2 gegevens veranderd" in corrections
    assert "M-2: uren per week" in corrections and "30,5" in corrections
    assert "M-3 (medewerker)" in corrections and "(verwijderd)" in corrections
    assert not CODES.search(corrections.replace(note, "")), corrections
    assert "de uitkomst ging van trede 3 naar trede 2" in corrections
    assert company.inner_text(".result .rung-badge-label") == rung
    shoot(company, f"reis-bedrijf-correctie-{backend}")
    company.goto(f"/mijn/aanvraag/{aid}/stap/7")
    company.fill("#f-response", "M-1 heeft een vaste werkbegeleider, vier uur per week.")
    company.check("#f-confirm")
    save(company)
    assert "opnieuw ingediend" in company.inner_text("main")

    # --- 4. the hand-over: Bert cannot decide while Ans reviews; then he approves -------------
    ans.goto(f"/beoordeling/aanvragen/{aid}")
    submit(ans, "#take")
    assert "Antwoord: M-1 heeft een vaste werkbegeleider" in ans.inner_text("#history")
    bert = people("bert@psocert.example.nl")
    bert.goto(f"/beoordeling/aanvragen/{aid}")
    assert bert.inner_text("#status") == "In beoordeling"
    assert "Ans Beoordelaar beoordeelt deze aanvraag nog" in bert.inner_text("#in-review")
    assert bert.locator("form.decision").count() == 0
    submit(ans, "#complete")
    assert "Beoordeling afgerond; de aanvraag wacht nu op het besluit." in ans.inner_text("main")
    assert ans.locator("form.decision").count() == 0
    bert.goto("/beoordeling")
    assert f"Aanvraag {aid}" in bert.inner_text("#decide")
    submit(bert, f"#decide a[href='/beoordeling/aanvragen/{aid}']")
    assert bert.inner_text("#status") == "Wacht op besluit"
    assert f"Goedkeuren: certificaat {rung}" in bert.inner_text("form.decision")
    bert.check("#outcome-approved")
    bert.fill("#reason", "Opgave klopt na correctie.")
    submit(bert, "#decide")
    assert "Goedgekeurd. Uitgegeven certificaten" in bert.inner_text("main")
    history = bert.inner_text("#history")
    assert "Beoordeling afgerond (beoordelaar) door Ans Beoordelaar" in history
    assert "Goedgekeurd (besluit) door Bert Beslisser" in history
    assert f"Toelichting: {note}" in history
    shoot(bert, f"reis-besluit-{backend}", phone=False)

    # --- 5. the company reads the approval, the rung and the definitive outcome PDF -----------
    company.goto(f"/mijn/aanvraag/{aid}")
    main = company.inner_text("main")
    assert "Goedgekeurd" in main and "Opgave klopt na correctie." in main
    certificates = company.inner_text("#cert-titel + ul")
    assert f"{rung}, geldig tot en met" in certificates
    assert company.inner_text(".result .rung-badge-label") == rung and "Geen trede" not in main
    assert "Totale bijdrage 9,80 %" in " ".join(company.inner_text(".result").split())
    shoot(company, f"reis-bedrijf-goedgekeurd-{backend}")
    with company.expect_download() as download:
        company.click("a[href$='uitkomst.pdf']")
    outcome = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "voorlopig" not in outcome.lower() and rung in outcome
    assert "Oost Infra BV" in outcome
    assert f"aanvraag {aid}" in MailServer.text(mail_with_subject(site, COMPANY, "goedgekeurd"))
