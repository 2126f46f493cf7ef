"""The auditor workbench in a real browser (Debian chromium, JavaScript off) against the
real server with its outbox sender and a real SMTP server, on SQLite and PostgreSQL:
auditor Ans (TOTP sign-in) takes an application, reads its document, asks the company a
question; the company answers through the API; Ans corrects the data (diff and rescored
result before saving) and may not decide; auditor Bert of the same body approves; the
certificate names their body; suspending the trede-3 certificate suspends its 30+."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.auth import SYSTEM
from pso.db.engine import make_engine
from pso.db.models import Account
from pso.services import accounts
from tests.browser.support import (
    PASSWORD,
    body_with_auditors,
    chromium,
    database,
    mails_to,
    serve_with_mail,
    shoot,
    sign_in,
    submit,
    tabs,
)
from tests.conftest import BACKENDS
from tests.factories import organization, submission

KVK = "12345678"
BODY_NAME = "PSO Certificering Noord B.V."
AUDITORS = {"ans@psocert.example.nl": ("Ans Beoordelaar", pyotp.random_base32(32)),
            "bert@psocert.example.nl": ("Bert Beslisser", pyotp.random_base32(32))}
COMPANY_MAIL = "hr@groen.example.nl"
EVIDENCE = b"%PDF-1.4\n% loonstroken mw-000 tot en met mw-006\n%%EOF\n"


async def _people(url: str) -> str:
    """The body, its two auditors (TOTP on) and a company person with an API token."""
    engine = make_engine(url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as session, session.begin():
            await body_with_auditors(session, "PSONOORD", BODY_NAME, AUDITORS)
            company = await accounts.ensure_party(session, "applicant", KVK, "Groen & Schoon")
            person = await accounts.create_account(
                session, SYSTEM, email=COMPANY_MAIL, name="Hans HR", role="company",
                party=company, password=PASSWORD)
            _, token = await accounts.create_token(session, person, "test")
            admin_party = await accounts.ensure_party(session, "admin", "admin")
            admin = await accounts.create_account(
                session, SYSTEM, email="beheer@example.nl", name="Bea Beheer", role="admin",
                party=admin_party, password=PASSWORD)
            _, admin_token = await accounts.create_token(session, admin, "test")
            assert (await session.scalar(select(Account).where(Account.email == COMPANY_MAIL)))
        return token + " " + admin_token
    finally:
        await engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    with database(request.param, tmp_path_factory, "workbench") as url:
        company_token, admin_token = asyncio.run(_people(url)).split()
        company = {"Authorization": f"Bearer {company_token}"}
        admin = {"Authorization": f"Bearer {admin_token}"}
        with serve_with_mail(url) as (base, mail):
            with httpx.Client(base_url=base, timeout=30) as http:
                http.post("/api/v1/organizations", json=organization(KVK, "Groen & Schoon"),
                          headers=admin).raise_for_status()
                draft = http.post(f"/api/v1/organizations/{KVK}/assessments", headers=company,
                                  json={"submission": submission(9), "certifyingBody": "PSONOORD"}
                                  ).raise_for_status()
                aid = draft.json()["id"]
                http.post(f"/api/v1/assessments/{aid}/documents", headers=company,
                          files={"file": ("loonstroken.pdf", EVIDENCE, "application/pdf")}
                          ).raise_for_status()
                http.post(f"/api/v1/assessments/{aid}/submit", headers=company).raise_for_status()
            yield {"base": base, "mail": mail, "backend": request.param, "aid": aid,
                   "company": company, "admin": admin}


@pytest.fixture(scope="module")
def browser(site) -> Iterator[object]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def person(browser, site):
    """person(email) -> a tab of a fresh browser profile, signed in with password and TOTP
    code. Console errors (CSP!) fail the test."""
    with tabs(browser, site["base"]) as new:
        def sign_in_as(email: str):
            _, tab = new()
            sign_in(tab, email)
            assert "/inloggen/code" in tab.url
            tab.fill("#code", pyotp.TOTP(AUDITORS[email][1]).now())
            submit(tab, "form.login button")
            assert tab.url.endswith("/beoordeling"), tab.url
            return tab

        yield sign_in_as


def _subjects(site, count: int) -> list[str]:
    return [m["Subject"] for m in mails_to(site, COMPANY_MAIL, count)]


def test_two_auditors_review_question_correction_and_decision(person, site) -> None:
    aid, backend = site["aid"], site["backend"]
    ans = person("ans@psocert.example.nl")
    assert "Ans Beoordelaar" in ans.inner_text(".page-head")
    assert f"Aanvraag {aid}" in ans.inner_text("#new")
    shoot(ans, f"werkbank-wachtrij-{backend}")

    # Ans takes the application and reads the evidence document.
    submit(ans, f"#new a[href='/beoordeling/aanvragen/{aid}']")
    submit(ans, "#take")
    assert "U beoordeelt deze aanvraag nu" in ans.inner_text("main")
    assert ans.inner_text("#status") == "In beoordeling"
    assert ans.inner_text("#reviewer") == "Ans Beoordelaar"
    with ans.expect_download() as download:
        ans.click("#documents a")
    path = download.value.path()
    assert download.value.suggested_filename == "loonstroken.pdf"
    assert Path(path).read_bytes() == EVIDENCE
    assert len(ans.locator("#sample li").all()) == 5
    shoot(ans, f"werkbank-beoordeling-{backend}")

    # A question to the company, which answers through the API and submits again.
    ans.fill("#message", "Mw-006 lijkt uit dienst. Klopt de opgave?")
    submit(ans, "#ask")
    assert ans.inner_text("#status") == "Informatie gevraagd"
    with httpx.Client(base_url=site["base"], timeout=30) as http:
        fixed = submission(9)
        fixed["employees"][6]["employmentEnd"] = "2025-06-30"
        http.put(f"/api/v1/assessments/{aid}/submission", json=fixed,
                 headers=site["company"]).raise_for_status()
        http.post(f"/api/v1/assessments/{aid}/submit", headers=site["company"],
                  json={"response": "Klopt: mw-006 is per 1 juli uit dienst."}).raise_for_status()
    ans.goto("/beoordeling")
    submit(ans, f"#new a[href='/beoordeling/aanvragen/{aid}']")
    submit(ans, "#take")
    assert "Klopt: mw-006 is per 1 juli uit dienst." in ans.inner_text("#history")

    # A correction: the diff and the rescored result first, then saving.
    submit(ans, "#correct")
    ans.fill("[name='employees[0].hoursPerWeek']", "20")
    ans.fill("#note", "Mw-000 werkt halve dagen volgens de loonstrook.")
    submit(ans, "#preview-button")
    diff = ans.inner_text("#diff")
    assert "mw-000: uren per week" in diff and "40" in diff and "20" in diff
    assert "Trede" in ans.inner_text("#rescored")
    shoot(ans, f"werkbank-correctie-{backend}")
    submit(ans, "#save")
    assert "Correctie opgeslagen (1 wijziging)" in ans.inner_text("main")
    assert ans.locator("#decide").count() == 0

    # The hand-over: while Ans is still at work, Bert reads "In beoordeling" and cannot
    # decide; Ans completes the review, then the application waits for Bert's decision.
    bert = person("bert@psocert.example.nl")
    assert f"Aanvraag {aid}" in bert.inner_text("#mine")
    assert f"Aanvraag {aid}" not in bert.inner_text("#decide")
    bert.goto(f"/beoordeling/aanvragen/{aid}")
    assert bert.inner_text("#status") == "In beoordeling"
    assert "Ans Beoordelaar beoordeelt deze aanvraag nog" in bert.inner_text("#in-review")
    assert bert.locator("form.decision").count() == 0
    shoot(bert, f"werkbank-nog-in-beoordeling-{backend}")
    submit(ans, "#complete")
    assert "Beoordeling afgerond; de aanvraag wacht nu op het besluit." in ans.inner_text("main")
    assert ans.inner_text("#status") == "Wacht op besluit"
    assert ans.locator("#correct").count() == 0 and ans.locator("#decide").count() == 0
    assert "andere auditor" in ans.inner_text("#needs-colleague")
    shoot(ans, f"werkbank-afgerond-{backend}")

    # Bert, of the same body, decides.
    bert.goto("/beoordeling")
    assert f"Aanvraag {aid}" in bert.inner_text("#decide")
    submit(bert, f"#decide a[href='/beoordeling/aanvragen/{aid}']")
    bert.check("#outcome-approved")
    bert.fill("#reason", "Opgave en loonstroken kloppen na correctie.")
    submit(bert, "#decide")
    assert "Goedgekeurd. Uitgegeven certificaten" in bert.inner_text("main")
    assert bert.inner_text("#decider") == "Bert Beslisser"
    history = bert.inner_text("#history")
    assert "In behandeling genomen (beoordelaar) door Ans Beoordelaar" in history
    assert "Beoordeling afgerond (beoordelaar) door Ans Beoordelaar" in history
    assert "Goedgekeurd (besluit) door Bert Beslisser" in history
    shoot(bert, f"werkbank-besluit-{backend}")
    with httpx.Client(base_url=site["base"], timeout=30) as http:
        body = http.get(f"/api/v1/assessments/{aid}", headers=site["admin"]).json()
        events = http.get("/api/v1/audit-events", headers=site["admin"], params={
            "entityType": "assessment", "entityId": str(aid), "pageSize": 50}).json()["items"]
    ladder, plus = body["certificates"]
    assert (ladder["kind"], ladder["rung"], plus["kind"]) == ("ladder", "trede3", "pso30plus")
    assert ladder["issuer"] == plus["issuer"] == BODY_NAME
    assert {(e["action"], e["actorName"]) for e in events} >= {
        ("assessment.review_started", "Ans Beoordelaar"),
        ("assessment.approved", "Bert Beslisser")}

    # The public verification page names the body.
    bert.goto(f"/register/{ladder['number']}")
    assert BODY_NAME in bert.inner_text("main")

    # Suspending the trede-3 certificate (with a confirmation step) suspends its 30+.
    bert.goto(f"/beoordeling/certificaten/{ladder['number']}")
    assert plus["number"] in bert.inner_text("#followers")
    bert.fill("#suspend-reason", "Onderzoek naar een melding")
    submit(bert, "#suspend")
    assert "Bevestigen" in bert.inner_text("#confirm")
    shoot(bert, f"werkbank-schorsen-bevestigen-{backend}")
    submit(bert, "#confirm-button")
    assert bert.inner_text("#cert-status") == "Geschorst"
    # The body's certificates, found by the company's name, with the reason.
    bert.goto("/beoordeling/certificaten")
    bert.fill("#zoek", "groen schoon")
    submit(bert, "form[role=search] button")
    listed = bert.inner_text("#certificates")
    assert ladder["number"] in listed and "Groen & Schoon" in listed and KVK in listed
    assert "Reden: Onderzoek naar een melding" in listed
    shoot(bert, f"werkbank-certificaten-{backend}")
    bert.goto(f"/register/{plus['number']}")
    assert "Geschorst" in bert.inner_text("main")
    shoot(bert, f"werkbank-30plus-geschorst-{backend}")

    subjects = _subjects(site, 7)
    assert any("ontvangen" in s for s in subjects)
    assert any("Vraag van de auditor" in s for s in subjects)
    assert any("goedgekeurd" in s for s in subjects)
    assert any("geschorst" in s for s in subjects)
