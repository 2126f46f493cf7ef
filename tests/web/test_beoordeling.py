"""The auditor workbench over HTTP: queue, take, question, correction with its diff,
decision by a colleague, documents, and certificate management with confirmation."""

from __future__ import annotations

import re

import pyotp
import pytest
from litestar.testing import AsyncTestClient

from pso.app import create_app
from tests.api.test_foundation import assert_problem
from tests.factories import organization, submission
from tests.web.prg import answered
from tests.web.test_accounts import PASSWORD, csrf_of, make_account

pytestmark = pytest.mark.anyio

KVK = "12345678"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


async def auditor_client(settings, session_maker, email: str, party: str = "PSOCERT"):
    """A browser of its own (own app instance and cookies), signed in with the TOTP code."""
    await make_account(session_maker, "auditor", email, totp=SECRET, party=party)
    client = AsyncTestClient(app=create_app(settings))
    await client.__aenter__()
    page = await client.get("/inloggen")
    await client.post("/inloggen", data={"email": email, "password": PASSWORD,
                                         "csrf": csrf_of(page.text)})
    code_page = await client.get("/inloggen/code")
    done = await client.post("/inloggen/code", follow_redirects=False, data={
        "code": pyotp.TOTP(SECRET).now(), "csrf": csrf_of(code_page.text)})
    assert done.status_code == 303, done.text
    return client


async def post_form(client, url: str, data: dict[str, str], page: str):
    token = csrf_of((await client.get(page)).text)
    return await answered(client, await client.post(url, data={**data, "csrf": token},
                                                    follow_redirects=False))


@pytest.fixture
async def setup(client, make_token, session_maker, settings):
    admin = await make_token("admin")
    await client.post("/api/v1/certifying-bodies", headers=admin,
                      json={"code": "PSOCERT", "name": "PSO Certificering", "accreditation": "RvA"})
    await client.post("/api/v1/organizations", json=organization(KVK, "Groen & Schoon"),
                      headers=admin)
    company = await make_token("company", kvk=KVK)
    draft = await client.post(f"/api/v1/organizations/{KVK}/assessments", headers=company,
                              json={"submission": submission(7), "certifyingBody": "PSOCERT"})
    aid = draft.json()["id"]
    await client.post(f"/api/v1/assessments/{aid}/documents", headers=company,
                      files={"file": ("loonstrook.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    await client.post(f"/api/v1/assessments/{aid}/submit", headers=company)
    ans = await auditor_client(settings, session_maker, "ans@psocert.nl")
    bert = await auditor_client(settings, session_maker, "bert@psocert.nl")
    yield {"aid": aid, "ans": ans, "bert": bert, "company": company, "admin": admin}
    for c in (ans, bert):
        await c.__aexit__(None, None, None)


async def test_review_and_decision_in_the_workbench(client, setup) -> None:
    aid, ans, bert = setup["aid"], setup["ans"], setup["bert"]
    base = f"/beoordeling/aanvragen/{aid}"
    queue = await ans.get("/beoordeling")
    assert queue.status_code == 200 and f"Aanvraag {aid}" in queue.text
    assert "Groen &amp; Schoon" in queue.text

    taken = await post_form(ans, f"{base}/in-behandeling", {}, base)
    assert taken.status_code == 303
    page = (await ans.get(base)).text
    assert "In beoordeling" in page and 'id="reviewer">Test auditor' in page
    assert "loonstrook.pdf" in page and "Steekproef" in page and "pso-2.1" in page
    assert "application/pdf, 15 bytes," in page  # its real size, not "0 kB"
    doc = re.search(rf'href="({base}/documenten/\d+)"', page).group(1)
    got = await ans.get(doc)
    assert got.status_code == 200 and got.headers["content-disposition"].startswith("attachment")
    assert got.headers["x-content-type-options"] == "nosniff"

    # Correction: first the diff and the rescored result, nothing saved; then saving.
    form = {"totalFte": "20", "employees[0].hoursPerWeek": "20", "note": "halve dagen"}
    preview = await post_form(ans, f"{base}/correctie", {**form, "action": "preview"},
                              f"{base}/correctie")
    assert preview.status_code == 200 and 'id="diff"' in preview.text
    assert "mw-000: uren per week" in preview.text and "<ins>20</ins>" in preview.text
    assert (await client.get(f"/api/v1/assessments/{aid}", headers=setup["admin"])).json()[
        "corrected"] is False
    saved = await post_form(ans, f"{base}/correctie", {**form, "action": "save"},
                            f"{base}/correctie")
    assert saved.status_code == 303
    stored = (await client.get(f"/api/v1/assessments/{aid}", headers=setup["admin"])).json()
    assert stored["corrected"] is True and stored["submission"]["employees"][0]["hoursPerWeek"] == 20

    # The hand-over: while Ans is still reviewing, Bert reads "In beoordeling" and cannot
    # decide; after "Beoordeling afronden" he finds it under "Wacht op besluit".
    bert_page = (await bert.get(base)).text
    assert 'id="in-review"' in bert_page and 'id="decide"' not in bert_page
    assert ">In beoordeling</span>" in bert_page
    bert_queue = (await bert.get("/beoordeling")).text
    assert section(bert_queue, "mine").count(f"Aanvraag {aid}") == 1
    assert f"Aanvraag {aid}" not in section(bert_queue, "decide")
    early = await post_form(bert, f"{base}/besluit", {"outcome": "approved"}, base)
    assert early.status_code == 303
    assert "nog in beoordeling" in (await bert.get(base)).text
    completed = await post_form(ans, f"{base}/afronden", {}, base)
    assert completed.status_code == 303
    page = (await ans.get(base)).text
    assert "Beoordeling afgerond; de aanvraag wacht nu op het besluit." in page
    assert 'id="complete"' not in page and 'id="correct"' not in page
    bert_queue = (await bert.get("/beoordeling")).text
    assert f"Aanvraag {aid}" in section(bert_queue, "decide")
    assert ">Wacht op besluit</span>" in (await bert.get(base)).text

    # The reviewer cannot decide; the colleague can.
    page = (await ans.get(base)).text
    assert 'id="needs-colleague"' in page and 'id="decide"' not in page
    refused = await post_form(ans, f"{base}/besluit", {"outcome": "approved"}, base)
    assert refused.status_code == 303
    assert "andere auditor" in (await ans.get(base)).text
    decided = await post_form(bert, f"{base}/besluit", {"outcome": "approved"}, base)
    assert decided.status_code == 303
    page = (await bert.get(base)).text
    assert "Goedgekeurd" in page and 'id="decider">Test auditor' in page
    number = re.search(r"(PSO-\d{4}-\d{6})", page).group(1)
    public = (await client.get(f"/api/v1/certificates/{number}")).json()
    assert public["issuer"] == "PSO Certificering"
    assert "Gegevens gecorrigeerd (auditor)" in page and "Goedgekeurd (besluit)" in page
    assert "Beoordeling afgerond (beoordelaar)" in page
    # History times in Amsterdam time like the audit log ("5 december 2026 20:10"), not UTC.
    assert " UTC" not in section(page, "history")
    assert re.search(r"\d{1,2} [a-z]+ \d{4} \d{2}:\d{2}", section(page, "history"))


def section(html: str, ident: str) -> str:
    """The HTML of the element with this id up to the next <section> or the end."""
    start = html.index(f'id="{ident}"')
    end = html.find("<section", start)
    return html[start:end if end > 0 else len(html)]


async def test_the_correction_form_shows_stored_numbers_in_dutch_notation(client, setup) -> None:
    """The form starts from the stored data as the company would type it (24,5 and not 24.5),
    and sending it unchanged changes nothing."""
    fractional = {**submission(2), "totalFte": "24.5", "purchases": [{
        "supplierName": "Groenbedrijf Werkt BV", "supplierKvk": "34567890",
        "supplierKind": "pso_certified", "invoiceAmount": "50000.50",
        "supplierTurnover": "1000000", "supplierFte": "10", "supplierDirectPct": "40"}]}
    fractional["employees"][0]["hoursPerWeek"] = "36.5"
    draft = await client.post(f"/api/v1/organizations/{KVK}/assessments",
                              headers=setup["company"],
                              json={"submission": fractional, "certifyingBody": "PSOCERT"})
    aid = draft.json()["id"]
    await client.post(f"/api/v1/assessments/{aid}/submit", headers=setup["company"])
    base = f"/beoordeling/aanvragen/{aid}"
    assert (await post_form(setup["ans"], f"{base}/in-behandeling", {}, base)).status_code == 303
    page = (await setup["ans"].get(f"{base}/correctie")).text
    for shown in ('name="totalFte" inputmode="decimal" value="24,5"',
                  'aria-label="Uren per week mw-000" value="36,5"', 'value="50000,50"'):
        assert shown in page, shown
    assert 'value="24.5"' not in page and 'value="36.5"' not in page
    unchanged = await post_form(setup["ans"], f"{base}/correctie", {
        "totalFte": "24,5", "employees[0].hoursPerWeek": "36,5",
        "purchases[0].invoiceAmount": "50000,50", "action": "preview"}, f"{base}/correctie")
    assert unchanged.status_code == 200 and 'id="no-changes"' in unchanged.text


async def test_review_page_shows_what_the_company_wrote(client, setup, session_maker) -> None:
    """Motivations per quality criterion, the subsidiaries, purchase kinds in Dutch, and
    the sample's "startwaarde" (issue 21 item 7 and 10)."""
    from sqlalchemy import select

    from pso.db.models import Assessment, Organization, OrganizationSubsidiary
    from pso.services.certification import evaluate

    aid, ans = setup["aid"], setup["ans"]
    async with session_maker() as session:
        a = await session.get(Assessment, aid)
        a.motivations = {"integration": "Iedereen luncht samen en draait mee in de ploegen.",
                         "guidance": "Een jobcoach komt elke week."}
        a.submission, a.score = evaluate({**a.submission, "quality": {"suitableWork": True, "integration": True,
                                                    "development": True, "guidance": False},
                        "purchases": [{"supplierName": "Werkbedrijf Oost",
                                       "supplierKvk": "87654321", "supplierKind": "sw_company",
                                       "invoiceAmount": "12000.00", "supplierTurnover": "500000",
                                       "supplierFte": "20", "supplierDirectPct": "40"}]})
        org = await session.scalar(select(Organization).where(Organization.kvk == KVK))
        session.add(OrganizationSubsidiary(organization_id=org.id, kvk="11223344",
                                           name="Groen Dochter BV"))
        await session.commit()
    page = (await ans.get(f"/beoordeling/aanvragen/{aid}")).text
    assert "Iedereen luncht samen en draait mee in de ploegen." in page
    assert "Een jobcoach komt elke week." in page and "Begeleiding: nee" in page
    assert "Groen Dochter BV" in page and "KvK 11223344" in page
    assert "SW-bedrijf" in page and "sw_company" not in page
    assert "startwaarde" in page and "zaad" not in page


async def test_question_and_certificate_management(client, setup) -> None:
    aid, ans, bert = setup["aid"], setup["ans"], setup["bert"]
    base = f"/beoordeling/aanvragen/{aid}"
    await post_form(ans, f"{base}/in-behandeling", {}, base)
    empty = await post_form(ans, f"{base}/vraag", {"message": ""}, base)
    assert empty.status_code == 400 and "field-error" in empty.text
    asked = await post_form(ans, f"{base}/vraag", {"message": "Stuur het contract van mw-001."},
                            base)
    assert asked.status_code == 303
    assert "Informatie gevraagd" in (await ans.get(base)).text
    again = await client.post(f"/api/v1/assessments/{aid}/submit", headers=setup["company"],
                              json={"response": "Bijgevoegd."})
    assert again.json()["status"] == "submitted"
    await post_form(ans, f"{base}/in-behandeling", {}, base)
    await post_form(ans, f"{base}/afronden", {}, base)
    await post_form(bert, f"{base}/besluit", {"outcome": "approved"}, base)
    approved = (await client.get(f"/api/v1/assessments/{aid}", headers=setup["admin"])).json()
    ladder, plus = [c["number"] for c in approved["certificates"]]

    cert = f"/beoordeling/certificaten/{ladder}"
    confirm = await post_form(ans, f"{cert}/schorsen", {"reason": "Onderzoek"}, cert)
    assert confirm.status_code == 200 and 'id="confirm"' in confirm.text
    assert (await client.get(f"/api/v1/certificates/{ladder}")).json()["status"] == "valid"
    done = await post_form(ans, f"{cert}/schorsen", {"reason": "Onderzoek", "bevestigd": "1"}, cert)
    assert done.status_code == 303
    assert (await client.get(f"/api/v1/certificates/{plus}")).json()["status"] == "suspended"
    # The body's certificates, found by (part of) the company name, with the reason.
    listed = (await ans.get("/beoordeling/certificaten", params={"zoek": "groen schoon"})).text
    rows = section(listed, "certificates")
    assert ladder in rows and plus in rows and KVK in rows and "Groen &amp; Schoon" in rows
    assert "Geschorst" in rows and "Reden: Onderzoek" in rows
    assert ladder in section((await ans.get("/beoordeling/certificaten",
                                            params={"zoek": KVK})).text, "certificates")
    # Paged (one per page here): the other certificate is on the next page.
    import pso.web.beheer.common as paging
    import pso.web.beoordeling.certificates as listing
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paging, "PAGE_SIZE", 1)
        patch.setattr(listing, "PAGE_SIZE", 1)
        first = (await ans.get("/beoordeling/certificaten")).text
        assert "Pagina 1 van 2" in first and 'rel="next"' in first
        second = (await ans.get("/beoordeling/certificaten", params={"page": "2"})).text
        assert "Pagina 2 van 2" in second
        shown = {n for n in (ladder, plus) if n in section(first, "certificates")} | {
            n for n in (ladder, plus) if n in section(second, "certificates")}
        assert shown == {ladder, plus}
        assert len(re.findall(r"PSO-\d{4}-\d{6}</a>", section(first, "certificates"))) == 1
    none = (await ans.get("/beoordeling/certificaten",
                          params={"zoek": "Schoonmaakgroep Domstad"})).text
    assert 'id="none-found"' in none and ladder not in none
    no_reason = await post_form(ans, f"{cert}/intrekken", {"reason": ""}, cert)
    assert no_reason.status_code == 400
    await post_form(ans, f"{cert}/herstellen", {"bevestigd": "1"}, cert)
    assert (await client.get(f"/api/v1/certificates/{plus}")).json()["status"] == "valid"
    overview = await ans.get("/beoordeling/certificaten")
    assert overview.status_code == 200 and "Verloopt binnen drie maanden" in overview.text


async def test_other_body_and_other_roles_see_nothing(client, setup, session_maker,
                                                      settings) -> None:
    aid = setup["aid"]
    other = await auditor_client(settings, session_maker, "carla@keur.nl", party="KEUR")
    try:
        queue = await other.get("/beoordeling")
        assert f"Aanvraag {aid}" not in queue.text
        away = await other.get(f"/beoordeling/aanvragen/{aid}", follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"] == "/beoordeling"
        # A document that exists (its own body's auditor downloads it) stays closed to them.
        page = (await setup["ans"].get(f"/beoordeling/aanvragen/{aid}")).text
        doc = re.search(rf'href="(/beoordeling/aanvragen/{aid}/documenten/\d+)"', page).group(1)
        mine = await setup["ans"].get(doc)
        assert mine.status_code == 200 and mine.content.startswith(b"%PDF")
        theirs = await other.get(doc, follow_redirects=False)
        assert theirs.status_code == 303 and theirs.headers["location"] == "/beoordeling"
        assert b"%PDF" not in theirs.content
    finally:
        await other.__aexit__(None, None, None)
    anonymous = await client.get("/beoordeling", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/inloggen")
    assert_problem(await client.get(f"/api/v1/assessments/{aid}/documents"), 401)
