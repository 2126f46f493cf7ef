"""The whole company journey in a real browser (Debian chromium, JavaScript off), against
the real server with its outbox sender and a real SMTP server, on SQLite and PostgreSQL:
invited by mail → password → organisation with a subsidiary → the seven wizard steps
(employees uploaded as CSV with the form's Dutch labels, a scenario, the provisional PDF)
→ an auditor's question (through the API) → answer and resubmit → approval (API) →
the decision mail → the certificate PDF that names the subsidiary. Screenshots at desktop
and phone width (390 px) go to test-artifacts/browser/."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import httpx
import pytest
from pypdf import PdfReader

from pso.cli.database import add_account
from pso.settings import Settings
from tests.browser.support import (
    ARTIFACTS,
    PASSWORD,
    chromium,
    database,
    mail_link,
    mail_with_subject,
    serve_with_mail,
    shoot,
    sign_in,
    submit,
    tabs,
)
from tests.conftest import BACKENDS
from tests.mail_server import MailServer

EMAIL, KVK, SUBSIDIARY = "nieuw@groenfacilitair.nl", "12345678", "87654321"
CSV = ("referentie;uitgangspositie;contractvorm;uren per week;in dienst\n"
       "M-1;Wajong;Regulier dienstverband;40;01-01-2024\n"
       "M-2;Participatiewet / WWB / IOAW / IOAZ-uitkering;regular;36;2024-03-01\n"
       "M-3;wsw;Begeleid werken;32;01-06-2023\n")


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    with database(request.param, tmp_path_factory, "mijn") as url:
        settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": url})
        tokens = {}
        _, _, tokens["admin"] = asyncio.run(add_account(
            settings, email="beheer@pso.example.nl", name="Bea Beheer", role="admin",
            party=None, password=PASSWORD, with_token=True))
        for who in ("reviewer", "decider"):
            _, _, tokens[who] = asyncio.run(add_account(
                settings, email=f"{who}@kiwa.example.nl", name=f"Auditor {who}",
                role="auditor", party="KIWA", party_name="Kiwa Nederland",
                password=PASSWORD, with_token=True))
        # The first account of the company: no password, an invitation by mail.
        asyncio.run(add_account(settings, email=EMAIL, name="Hanna HR", role="company",
                                party=KVK, party_name="Groen Facilitair BV"))
        with serve_with_mail(url) as (base, mail):
            made = httpx.post(base + "/api/v1/certifying-bodies", json={
                "code": "KIWA", "name": "Kiwa Nederland",
                "accreditation": "Geaccrediteerd door de Raad voor Accreditatie (test)"},
                headers={"Authorization": f"Bearer {tokens['admin']}"}, timeout=30)
            assert made.status_code == 201, made.text
            yield {"base": base, "mail": mail, "backend": request.param, "tokens": tokens,
                   "tmp": tmp_path_factory.mktemp("files")}


@pytest.fixture(scope="module")
def tab(site) -> Iterator[object]:
    with chromium() as browser, tabs(browser, site["base"]) as new:
        yield new()[1]


def api(site, method: str, path: str, who: str, **kw) -> dict:
    headers = {"Authorization": f"Bearer {site['tokens'][who]}"}
    response = httpx.request(method, site["base"] + path, headers=headers, timeout=30, **kw)
    assert response.status_code == 200, response.text
    return response.json()


def here(tab) -> str:
    """The page's URL without the fragment (a redirect keeps the form's #anchor)."""
    return tab.url.split("#")[0]


def name(site, what: str) -> str:
    return f"mijn-{what}-{site['backend']}"


def save(tab, button: str = "button.primary") -> None:
    submit(tab, f"form#invoer {button}")


def test_from_invitation_to_downloaded_certificate(tab, site) -> None:
    # --- invited by mail, a password, signed in -------------------------------------------
    tab.goto(mail_link(site, EMAIL, 1))
    tab.fill("#password", PASSWORD)
    tab.fill("#password2", PASSWORD)
    submit(tab, "form.login button")
    sign_in(tab, EMAIL)
    assert here(tab).endswith("/mijn")
    assert "Organisatie registreren" in tab.inner_text("main")
    shoot(tab, name(site, "welkom"))

    # --- the applying organisation, with a subsidiary ---------------------------------------
    tab.goto("/mijn/organisatie")
    submit(tab, "form#invoer button.primary")  # no municipality chosen yet
    assert "Gemeente: Kies een gemeente." in tab.inner_text(".error-summary")
    assert "municipalityCode" not in tab.inner_text("main")
    tab.select_option("#f-municipalityCode", label="Amsterdam")  # by name, from the CBS list
    tab.fill("#f-subsidiaries-0-kvk", SUBSIDIARY)
    tab.fill("#f-subsidiaries-0-name", "Groen Schoonmaak BV")
    shoot(tab, name(site, "organisatie"))
    submit(tab, "form#invoer button.primary")
    assert "geregistreerd" in tab.inner_text("main")

    # --- step 1: organisation and period --------------------------------------------------
    tab.goto("/mijn/aanvraag/nieuw")
    assert "Groen Schoonmaak BV" in tab.inner_text("main")
    tab.fill("#f-period-start", "2025-01-01")
    tab.fill("#f-period-end", "2025-12-31")
    tab.fill("#f-totalFte", "24,5")
    shoot(tab, name(site, "stap1"))
    save(tab)
    assert re.search(r"/mijn/aanvraag/\d+/stap/2$", here(tab))
    aid = int(re.search(r"/mijn/aanvraag/(\d+)/", tab.url).group(1))

    # --- step 2: employees from a CSV with the form's Dutch labels --------------------------
    csv_path = site["tmp"] / "medewerkers.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    tab.set_input_files("#f-file", str(csv_path))
    submit(tab, "form#invoer button[value=upload]")
    assert "3 medewerker(s) ingelezen" in tab.inner_text("main")
    # One more by hand: VSO/PrO without the school date is refused in plain Dutch.
    tab.fill("#f-employees-0-reference", "M-4")
    tab.select_option("#f-employees-0-startingPosition", "vso_pro")
    tab.select_option("#f-employees-0-contractType", "regular")
    tab.fill("#f-employees-0-hoursPerWeek", "20")
    tab.fill("#f-employees-0-employmentStart", "2025-02-01")
    save(tab)
    errors = tab.inner_text(".error-summary")
    assert "VSO/PrO hoort de datum waarop de school is verlaten." in errors
    assert "vso_pro" not in errors and "schoolLeftOn" not in errors
    shoot(tab, name(site, "stap2-fout"))
    assert tab.is_visible("#f-employees-0-schoolLeftOn")  # the details open at the error
    tab.fill("#f-employees-0-schoolLeftOn", "2024-07-01")
    save(tab)
    assert here(tab).endswith("/stap/3")

    # --- step 3: no purchases --------------------------------------------------------------
    shoot(tab, name(site, "stap3"))
    save(tab)
    assert here(tab).endswith("/stap/4")

    # --- step 4: provisional score, scenario, PDF -------------------------------------------
    rung = tab.inner_text(".result .rung-badge-label")
    assert "Uitleg" in tab.inner_text(".result")
    # Before the quality questions: what the numbers reach, never "Geen trede".
    main = tab.inner_text("main")
    assert rung == "Trede 3" and "Geen trede" not in main
    assert "Die trede wordt toegekend als u in stap 5 de kwaliteitsvragen hebt beantwoord" \
        in main
    shoot(tab, name(site, "stap4"))
    tab.fill("#f-hires-0-count", "2")
    tab.fill("#f-hires-0-hoursPerWeek", "40")
    submit(tab, "#scenario form button")
    scenario = tab.inner_text(".scenario-result")
    assert "26,5 FTE (nu 24,5)" in scenario and "Geen trede" not in scenario
    shoot(tab, name(site, "stap4-scenario"))
    tab.emulate_media(media="print")
    tab.screenshot(path=str(ARTIFACTS / f"{name(site, 'stap4')}-print.png"), full_page=True)
    assert not tab.is_visible("header.site") and not tab.is_visible("#scenario")
    tab.emulate_media(media="screen")
    with tab.expect_download() as download:
        tab.click("a[href$='uitkomst.pdf']")
    pdf = PdfReader(download.value.path())
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Voorlopige uitkomst" in text and "Groen Schoonmaak BV" in text and "M-4" in text
    tab.goto(f"/mijn/aanvraag/{aid}/stap/4")
    assert tab.inner_text(".result .rung-badge-label") == rung  # the scenario saved nothing
    submit(tab, "form.actions button.primary")
    assert here(tab).endswith("/stap/5")

    # --- step 5: quality with motivations ----------------------------------------------------
    for key in ("suitableWork", "integration", "development", "guidance"):
        tab.check(f"#f-quality-{key}")
    save(tab)
    assert "Licht kort toe" in tab.inner_text(".error-summary")
    for key in ("suitableWork", "integration", "development", "guidance"):
        tab.fill(f"#f-motivations-{key}", f"Zo regelen wij dit ({key}).")
    shoot(tab, name(site, "stap5"))
    save(tab)
    assert here(tab).endswith("/stap/6")

    # --- step 6: the certifying body; step 7: definitive -------------------------------------
    tab.check("#body-KIWA")
    shoot(tab, name(site, "stap6"))
    save(tab)
    assert here(tab).endswith("/stap/7")
    shoot(tab, name(site, "stap7"))
    tab.check("#f-confirm")
    save(tab)
    assert here(tab).endswith(f"/mijn/aanvraag/{aid}")
    assert "Ingediend" in tab.inner_text("main")
    received = mail_with_subject(site, EMAIL, "is ontvangen")
    assert f"aanvraag {aid}" in MailServer.text(received)

    # --- the auditor asks a question (API until the workbench is there) ----------------------
    api(site, "POST", f"/api/v1/assessments/{aid}/review", "reviewer")
    api(site, "POST", f"/api/v1/assessments/{aid}/information-request", "reviewer",
        json={"message": "Hoe begeleidt u M-3 op de werkvloer?"})
    tab.goto(f"/mijn/aanvraag/{aid}")
    assert "Hoe begeleidt u M-3 op de werkvloer?" in tab.inner_text("main")
    shoot(tab, name(site, "vraag"))
    # Evidence: the real size, and a file sent by mistake taken back before resubmitting.
    for file_name, body in (("verkeerd.pdf", b"%PDF-1.4\n" + b"0" * 100),
                            ("jobcoach.pdf", b"%PDF-1.4\n" + b"0" * 5000)):
        path = site["tmp"] / file_name
        path.write_bytes(body)
        tab.set_input_files("#f-document", str(path))
        submit(tab, "#bewijsstukken form[enctype] button")
    documents = tab.inner_text("#bewijsstukken ul")
    assert "verkeerd.pdf (109 bytes" in documents and "jobcoach.pdf (4,9 kB" in documents
    shoot(tab, name(site, "bewijsstukken"))
    submit(tab, "#bewijsstukken li:has-text('verkeerd.pdf') form button")
    assert "Bewijsstuk verkeerd.pdf is verwijderd." in tab.inner_text("main")
    assert "verkeerd.pdf" not in tab.inner_text("#bewijsstukken ul")
    tab.goto(f"/mijn/aanvraag/{aid}/stap/7")
    tab.fill("#f-response", "M-3 heeft een vaste jobcoach, twee uur per week.")
    tab.check("#f-confirm")
    save(tab)
    assert "opnieuw ingediend" in tab.inner_text("main")

    # --- the reviewer corrects: M-4 removed, M-2's hours; the company reads it in Dutch -----
    api(site, "POST", f"/api/v1/assessments/{aid}/review", "reviewer")
    current = api(site, "GET", f"/api/v1/assessments/{aid}", "reviewer")["submission"]
    staff = [e for e in current["employees"] if e["reference"] != "M-4"]
    staff = [{**e, "hoursPerWeek": "30.5"} if e["reference"] == "M-2" else e for e in staff]
    api(site, "POST", f"/api/v1/assessments/{aid}/correction", "reviewer", json={
        "submission": {**current, "employees": staff},
        "note": "M-4 is een stagiair en telt niet; M-2 werkt 30,5 uur volgens de loonstrook."})
    tab.goto(f"/mijn/aanvraag/{aid}")
    corrections = tab.inner_text("#correcties")
    assert "M-4 is een stagiair en telt niet" in corrections
    assert "De auditor heeft 2 gegevens veranderd" in corrections
    assert "M-2: uren per week" in corrections and "30,5" in corrections
    assert "M-4 (medewerker)" in corrections and "(verwijderd)" in corrections
    assert "vso_pro" not in corrections and "30.5" not in corrections
    shoot(tab, name(site, "correctie"))

    # --- the reviewer hands over; approval by another auditor; the decision mail -------------
    api(site, "POST", f"/api/v1/assessments/{aid}/review-completed", "reviewer")
    decided = api(site, "POST", f"/api/v1/assessments/{aid}/decision", "decider",
                  json={"outcome": "approved"})
    number = decided["certificates"][0]["number"]
    decision = mail_with_subject(site, EMAIL, "goedgekeurd")
    assert number in MailServer.text(decision)
    tab.goto("/mijn")
    assert number in tab.inner_text("main")
    shoot(tab, name(site, "dashboard"))
    tab.goto(f"/mijn/aanvraag/{aid}")
    with tab.expect_download() as download:
        tab.click(f"a[href='/api/v1/certificates/{number}/pdf']")
    certificate = PdfReader(download.value.path())
    text = certificate.pages[0].extract_text()
    assert "Groen Facilitair BV" in text and "Groen Schoonmaak BV" in text
    assert SUBSIDIARY in text and number in text
    # The register finds it by the subsidiary's KvK number too.
    found = httpx.get(site["base"] + "/api/v1/certificates", params={"kvk": SUBSIDIARY}).json()
    assert [c["number"] for c in found["items"]] == [number]
    shoot(tab, name(site, "aanvraag-goedgekeurd"))
    with tab.expect_download() as download:
        tab.click("a[href$='uitkomst.pdf']")
    outcome = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "voorlopig" not in outcome.lower() and "goedgekeurd" in outcome
    # The verification page names what the certificate covers (as issued).
    tab.goto(f"/register/{number}")
    assert f"Groen Schoonmaak BV (KvK {SUBSIDIARY})" in tab.inner_text("main")
    shoot(tab, name(site, "controle-dochter"))
