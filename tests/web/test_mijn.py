"""MijnPSO over HTTP (no browser): organisation with subsidiaries, the wizard's drafts at
every step, uploads with the form's Dutch labels, the scenario panel, the definitive
application and its mail, re-certification, the provisional PDF and bad input."""

from __future__ import annotations

import html
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from pso.auth import SYSTEM
from pso.db.models import Assessment, AuditEvent, OutboxMail
from pso.services import bodies
from tests.web.prg import answered
from tests.web.test_accounts import csrf_of, make_account, sign_in

pytestmark = pytest.mark.anyio

KVK = "12345678"
EMAIL = "company@example.nl"


def visible(html: str) -> str:
    """The text a reader sees (tags and attributes removed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def post(client, url: str, data: dict[str, str], *, page: str | None = None,
               files=None):
    token = csrf_of((await client.get(page or url)).text)
    return await answered(client, await client.post(url, data={**data, "csrf": token},
                                                    files=files, follow_redirects=False))


async def signed_in(client, session_maker) -> None:
    await make_account(session_maker, "company", EMAIL)
    done = await sign_in(client, EMAIL)
    assert done.headers["location"] == "/mijn"


async def register(client, subsidiaries=(("87654321", "Dochter Schoonmaak BV"),)) -> None:
    data = {"name": "Groen Facilitair BV", "municipalityCode": "GM0363", "kind": "company"}
    for i, (kvk, name) in enumerate(subsidiaries):
        data[f"subsidiaries[{i}].kvk"] = kvk
        data[f"subsidiaries[{i}].name"] = name
    done = await post(client, "/mijn/organisatie", data)
    assert done.status_code == 303, done.text


async def step1(client, total_fte: str = "20") -> int:
    done = await post(client, "/mijn/aanvraag/nieuw", {
        "period.start": "2025-01-01", "period.end": "2025-12-31", "totalFte": total_fte,
        "fullTimeHoursPerWeek": "40"})
    assert done.status_code == 303, done.text
    return int(re.search(r"/mijn/aanvraag/(\d+)/stap/2", done.headers["location"]).group(1))


async def stored(session_maker, assessment_id: int) -> Assessment:
    async with session_maker() as session:
        return await session.get(Assessment, assessment_id)


async def test_dashboard_asks_to_register_first_and_organisation_keeps_subsidiaries(
        client, session_maker) -> None:
    await signed_in(client, session_maker)
    home = await client.get("/mijn")
    assert home.status_code == 200 and "Organisatie registreren" in home.text
    assert (await client.get("/mijn/aanvraag/nieuw", follow_redirects=False)
            ).headers["location"] == "/mijn/organisatie"
    # Bad input: Dutch messages next to the field, no internal names.
    bad = await post(client, "/mijn/organisatie", {
        "name": "", "municipalityCode": "Amsterdam", "kind": "company",
        "subsidiaries[0].kvk": "1234", "subsidiaries[0].name": "Dochter"})
    assert bad.status_code == 400
    assert "Dochteronderneming 1: KvK-nummer" in visible(bad.text)
    assert "municipalityCode" not in visible(bad.text)
    # The municipality is chosen by name from the CBS list; a typo is said in names, once.
    assert '<option value="GM0363">Amsterdam</option>' in bad.text
    typo = await post(client, "/mijn/organisatie", {
        "name": "Groen", "municipalityCode": "Amsterdm", "kind": "company"})
    assert typo.status_code == 400
    assert html.unescape(visible(typo.text)).count("De gemeente 'Amsterdm' kennen wij niet. Bedoelt u "
                                    "Amsterdam?") == 2  # the summary and the field
    assert "GM0" not in visible(typo.text)
    same = await post(client, "/mijn/organisatie", {
        "name": "Groen", "municipalityCode": "GM0363", "kind": "company",
        "subsidiaries[0].kvk": KVK, "subsidiaries[0].name": "Ikzelf"})
    assert same.status_code == 400 and "hoofdaanvrager zelf" in same.text
    await register(client)
    page = await client.get("/mijn/organisatie")
    assert 'value="87654321"' in page.text and "Dochter Schoonmaak BV" in page.text
    # Adding a row does not save; saving an edited list replaces it.
    more = await post(client, "/mijn/organisatie", {
        "name": "Groen Facilitair BV", "municipalityCode": "GM0363", "kind": "company",
        "subsidiaries[0].kvk": "87654321", "subsidiaries[0].name": "Dochter Schoonmaak BV",
        "action": "add_subsidiary"})
    assert more.status_code == 200 and "subsidiaries[1].kvk" in more.text
    home = await client.get("/mijn")
    assert "Groen Facilitair BV" in home.text and "1 dochteronderneming" in home.text


async def test_wizard_saves_a_draft_at_every_step_and_submits(client, session_maker) -> None:
    await signed_in(client, session_maker)
    async with session_maker() as session, session.begin():
        await bodies.create(session, SYSTEM, code="KIWA", name="Kiwa Nederland",
                            accreditation="Geaccrediteerd door de RvA (test)")
        # A body with no auditors is not offered (issue 21 item 13).
        await bodies.create(session, SYSTEM, code="LEEG", name="Lege Instelling BV")
    await make_account(session_maker, "auditor", "ans@kiwa.example.nl", party="KIWA")
    await register(client)
    # Step 1 refuses bad values in Dutch and keeps what was typed.
    bad = await post(client, "/mijn/aanvraag/nieuw", {
        "period.start": "2025-12-31", "period.end": "2025-01-01", "totalFte": "nul"})
    assert bad.status_code == 400 and "totalFte" not in visible(bad.text)
    assert "Totaal aantal FTE van de organisatie" in bad.text
    assessment_id = await step1(client)
    draft = await stored(session_maker, assessment_id)
    assert draft.status == "draft" and draft.submission["totalFte"] == "20"
    # A second new application is refused while this one is open.
    again = await client.get("/mijn/aanvraag/nieuw", follow_redirects=False)
    assert again.headers["location"] == f"/mijn/aanvraag/{assessment_id}/stap/2"

    # Step 2: a form row plus an uploaded CSV using the Dutch labels of the form.
    url = f"/mijn/aanvraag/{assessment_id}/stap/2"
    csv = (b"referentie;uitgangspositie;contractvorm;uren per week;in dienst\n"
           b"M-1;Wsw-indicatie;Regulier dienstverband;36;01-01-2024\n"
           b"M-2;participatiewet;regular;32;2024-03-01\n")
    read = await post(client, url, {"action": "upload"},
                      files={"file": ("lijst.csv", csv, "text/csv")})
    assert read.status_code == 200 and "2 medewerker(s) ingelezen" in read.text
    carried = re.search(r'name="upload" value="([^"]+)"', read.text).group(1)
    import html
    vso_missing = await post(client, url, {
        "action": "save", "upload": html.unescape(carried),
        "employees[0].reference": "M-3", "employees[0].startingPosition": "vso_pro",
        "employees[0].contractType": "regular", "employees[0].hoursPerWeek": "20",
        "employees[0].employmentStart": "2025-02-01"})
    assert vso_missing.status_code == 400
    assert "Bij de uitgangspositie VSO/PrO hoort de datum waarop de school is verlaten." in \
        vso_missing.text
    assert "vso_pro" not in visible(vso_missing.text)
    saved = await post(client, url, {
        "action": "save", "upload": html.unescape(carried),
        "employees[0].reference": "M-3", "employees[0].startingPosition": "vso_pro",
        "employees[0].contractType": "regular", "employees[0].hoursPerWeek": "20",
        "employees[0].employmentStart": "2025-02-01",
        "employees[0].schoolLeftOn": "2024-07-01"})
    assert saved.status_code == 303 and saved.headers["location"].endswith("/stap/3")
    draft = await stored(session_maker, assessment_id)
    assert [e["reference"] for e in draft.submission["employees"]] == ["M-1", "M-2", "M-3"]
    assert draft.submission["employees"][0]["contractType"] == "regular"
    assert draft.wizard_step == 3

    # Step 3: one purchase.
    saved = await post(client, f"/mijn/aanvraag/{assessment_id}/stap/3", {
        "purchases[0].supplierName": "SW Amsterdam", "purchases[0].supplierKvk": "11223344",
        "purchases[0].supplierKind": "sw_company", "purchases[0].invoiceAmount": "50.000",
        "purchases[0].supplierTurnover": "2.000.000", "purchases[0].supplierFte": "400",
        "purchases[0].supplierDirectPct": "60"})
    assert saved.status_code == 303, saved.text
    draft = await stored(session_maker, assessment_id)
    assert draft.submission["purchases"][0]["invoiceAmount"] == "50000"

    # Step 4: the provisional score; the scenario changes nothing stored.
    step4 = await client.get(f"/mijn/aanvraag/{assessment_id}/stap/4")
    assert step4.status_code == 200 and "Uitleg" in step4.text and "ladder-chart" in step4.text
    before = (await stored(session_maker, assessment_id)).submission
    what_if = await post(client, f"/mijn/aanvraag/{assessment_id}/scenario", {
        "hires[0].count": "3", "hires[0].hoursPerWeek": "40",
        "hires[0].startingPosition": "participatiewet", "hires[0].contractType": "regular"},
        page=f"/mijn/aanvraag/{assessment_id}/stap/4")
    assert what_if.status_code == 200 and "Uitkomst van het scenario" in what_if.text
    assert "23 FTE (nu 20)" in what_if.text
    assert (await stored(session_maker, assessment_id)).submission == before
    bad_what_if = await post(client, f"/mijn/aanvraag/{assessment_id}/scenario", {
        "hires[0].count": "3", "hires[0].hoursPerWeek": "veel"},
        page=f"/mijn/aanvraag/{assessment_id}/stap/4")
    assert bad_what_if.status_code == 400 and "niet doorgerekend" in bad_what_if.text
    pdf = await client.get(f"/mijn/aanvraag/{assessment_id}/uitkomst.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Voorlopige uitkomst" in text and "Dochter Schoonmaak BV" in text and "M-3" in text
    assert (await post(client, f"/mijn/aanvraag/{assessment_id}/stap/4", {})).status_code == 303

    # Step 5: criteria met need a motivation.
    url5 = f"/mijn/aanvraag/{assessment_id}/stap/5"
    page5 = await client.get(url5)
    assert "Voor trede" in page5.text or "Op cijfers" in page5.text
    all_met = {f"quality.{k}": "ja" for k in ("suitableWork", "integration", "development",
                                               "guidance")}
    missing = await post(client, url5, all_met)
    assert missing.status_code == 400 and "Licht kort toe" in missing.text
    motivated = {**all_met, **{f"motivations.{k}": f"Zo regelen wij {k}." for k in
                               ("suitableWork", "integration", "development", "guidance")}}
    assert (await post(client, url5, motivated)).status_code == 303
    draft = await stored(session_maker, assessment_id)
    assert all(draft.submission["quality"].values())
    assert draft.motivations["guidance"] == "Zo regelen wij guidance."

    # Step 7 before step 6: the body is missing.
    url7 = f"/mijn/aanvraag/{assessment_id}/stap/7"
    early = await post(client, url7, {"confirm": "ja"})
    assert early.status_code == 409 and "certificerende instelling" in early.text
    step6 = (await client.get(f"/mijn/aanvraag/{assessment_id}/stap/6")).text
    assert "Kiwa Nederland" in step6 and "Lege Instelling" not in step6
    bad6 = await post(client, f"/mijn/aanvraag/{assessment_id}/stap/6", {"certifyingBody": "X"})
    assert bad6.status_code == 400 and "uit de lijst" in bad6.text
    assert (await post(client, f"/mijn/aanvraag/{assessment_id}/stap/6",
                       {"certifyingBody": "KIWA"})).status_code == 303
    unconfirmed = await post(client, url7, {})
    assert unconfirmed.status_code == 400 and "Bevestig" in unconfirmed.text
    done = await post(client, url7, {"confirm": "ja"})
    assert done.status_code == 303 and done.headers["location"] == f"/mijn/aanvraag/{assessment_id}"
    draft = await stored(session_maker, assessment_id)
    assert draft.status == "submitted"
    # Frozen: the steps send the browser to the status page.
    frozen = await client.get(f"/mijn/aanvraag/{assessment_id}/stap/2", follow_redirects=False)
    assert frozen.headers["location"] == f"/mijn/aanvraag/{assessment_id}"
    status = await client.get(f"/mijn/aanvraag/{assessment_id}")
    assert "Ingediend" in status.text and "Kiwa Nederland" in status.text
    async with session_maker() as session:
        mail = await session.scalar(select(OutboxMail).where(
            OutboxMail.template == "assessment_received"))
        actions = set(await session.scalars(select(AuditEvent.action)))
    assert mail.to_address == EMAIL and f"aanvraag {assessment_id}" in mail.text_body
    assert {"assessment.created", "assessment.updated", "assessment.submitted",
            "assessment.body_chosen"} <= actions


async def test_recertification_copies_the_last_approved_with_the_period_a_year_on(
        client, session_maker, make_token) -> None:
    await signed_in(client, session_maker)
    await register(client)
    assessment_id = await step1(client, "4")
    refused = await post(client, "/mijn/hercertificering", {})
    assert refused.status_code == 303  # an open application: back to /mijn with the reason
    async with session_maker() as session, session.begin():
        a = await session.get(Assessment, assessment_id)
        a.status = "approved"
    page = await client.get("/mijn/hercertificering")
    assert "kopie van aanvraag" in page.text
    done = await post(client, "/mijn/hercertificering", {})
    assert done.status_code == 303 and done.headers["location"].endswith("/stap/1")
    async with session_maker() as session:
        rows = list(await session.scalars(select(Assessment).order_by(Assessment.id)))
    assert rows[-1].copied_from_id == assessment_id and rows[-1].status == "draft"
    assert rows[-1].submission["period"] == {"start": "2026-01-01", "end": "2026-12-31"}


async def test_other_roles_and_strangers_do_not_reach_mijn(client, session_maker) -> None:
    assert (await client.get("/mijn", follow_redirects=False)).headers["location"].startswith(
        "/inloggen")
    await make_account(session_maker, "procurement", "inkoop@example.nl")
    await sign_in(client, "inkoop@example.nl")
    assert (await client.get("/mijn")).status_code == 403


async def test_another_companys_application_is_not_found(client, session_maker) -> None:
    async with session_maker() as session, session.begin():
        from pso.services import certification, organizations
        await organizations.create(session, SYSTEM, {
            "kvk": "99999999", "name": "Ander BV", "municipality_code": "GM0363",
            "kind": "company"})
        other = await certification.create(session, SYSTEM, "99999999", {
            "period": {"start": "2025-01-01", "end": "2025-12-31"}, "totalFte": "5",
            "quality": dict.fromkeys(("suitableWork", "integration", "development",
                                      "guidance"), False)})
        other_id = other.id
    await signed_in(client, session_maker)
    await register(client, ())
    for url in (f"/mijn/aanvraag/{other_id}", f"/mijn/aanvraag/{other_id}/stap/2",
                f"/mijn/aanvraag/{other_id}/uitkomst.pdf"):
        answer = await client.get(url, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/mijn"


async def submitted_application(client, session_maker) -> int:
    """A company signed in, organisation registered, one application submitted to KIWA."""
    await signed_in(client, session_maker)
    async with session_maker() as session, session.begin():
        await bodies.create(session, SYSTEM, code="KIWA", name="Kiwa Nederland")
    await make_account(session_maker, "auditor", "ans@kiwa.example.nl", party="KIWA")
    await register(client)
    aid = await step1(client)
    await post(client, f"/mijn/aanvraag/{aid}/stap/2", {
        "employees[0].reference": "M-1", "employees[0].startingPosition": "wajong",
        "employees[0].contractType": "regular", "employees[0].hoursPerWeek": "40",
        "employees[0].employmentStart": "2024-01-01"})
    await post(client, f"/mijn/aanvraag/{aid}/stap/5", {
        **{f"quality.{k}": "ja" for k in ("suitableWork", "integration", "development",
                                          "guidance")},
        **{f"motivations.{k}": "Geregeld." for k in ("suitableWork", "integration",
                                                     "development", "guidance")}})
    await post(client, f"/mijn/aanvraag/{aid}/stap/6", {"certifyingBody": "KIWA"})
    done = await post(client, f"/mijn/aanvraag/{aid}/stap/7", {"confirm": "ja"})
    assert done.status_code == 303
    return aid


async def test_after_submission_question_documents_corrections_and_certificate(
        client, session_maker, make_token) -> None:
    aid = await submitted_application(client, session_maker)
    reviewer = await make_token("auditor", body="KIWA", name="Rita Reviewer")
    decider = await make_token("auditor", body="KIWA", name="Dirk Beslisser")
    assert (await client.post(f"/api/v1/assessments/{aid}/review",
                              headers=reviewer)).status_code == 200
    asked = await client.post(f"/api/v1/assessments/{aid}/information-request",
                              json={"message": "Stuur het contract van M-1 mee."},
                              headers=reviewer)
    assert asked.status_code == 200, asked.text
    page = await client.get(f"/mijn/aanvraag/{aid}")
    assert "Informatie gevraagd" in page.text and "Stuur het contract van M-1 mee." in page.text
    # The steps are open again; the answer is required.
    assert (await client.get(f"/mijn/aanvraag/{aid}/stap/2")).status_code == 200
    no_answer = await post(client, f"/mijn/aanvraag/{aid}/stap/7", {"confirm": "ja"})
    assert no_answer.status_code == 400 and "Beantwoord de vraag" in no_answer.text
    # Evidence: a PDF is accepted, a disguised text file is not.
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    added = await post(client, f"/mijn/aanvraag/{aid}/documenten", {},
                       files={"file": ("contract M-1.pdf", pdf, "application/pdf")},
                       page=f"/mijn/aanvraag/{aid}")
    assert added.status_code == 303, added.text
    refused = await post(client, f"/mijn/aanvraag/{aid}/documenten", {},
                         files={"file": ("nep.pdf", b"gewoon tekst", "application/pdf")},
                         page=f"/mijn/aanvraag/{aid}")
    assert refused.status_code == 400 and "bestandstype" in refused.text
    page = await client.get(f"/mijn/aanvraag/{aid}")
    link = re.search(rf'href="(/mijn/aanvraag/{aid}/documenten/\d+)"', page.text).group(1)
    download = await client.get(link)
    assert download.content == pdf and download.headers["content-disposition"].startswith(
        "attachment")
    answered = await post(client, f"/mijn/aanvraag/{aid}/stap/7", {
        "confirm": "ja", "response": "Het contract staat bij de bewijsstukken."})
    assert answered.status_code == 303
    assert "Ingediend" in (await client.get(f"/mijn/aanvraag/{aid}")).text
    # The auditor corrects the hours and approves; the company sees the diff and downloads.
    assert (await client.post(f"/api/v1/assessments/{aid}/review",
                              headers=reviewer)).status_code == 200
    current = (await client.get(f"/api/v1/assessments/{aid}", headers=reviewer)).json()
    corrected = {**current["submission"]}
    corrected["employees"] = [{**corrected["employees"][0], "hoursPerWeek": "38"}]
    fixed = await client.post(f"/api/v1/assessments/{aid}/correction",
                              json={"submission": corrected}, headers=reviewer)
    assert fixed.status_code == 200, fixed.text
    assert (await client.post(f"/api/v1/assessments/{aid}/review-completed",
                              headers=reviewer)).status_code == 200
    decided = await client.post(f"/api/v1/assessments/{aid}/decision",
                                json={"outcome": "approved"}, headers=decider)
    assert decided.status_code == 200, decided.text
    number = decided.json()["certificates"][0]["number"]
    page = await client.get(f"/mijn/aanvraag/{aid}")
    assert "Goedgekeurd" in page.text and "Correcties van de auditor" in page.text
    assert "M-1: uren per week" in page.text and "<del>40</del>" in page.text
    assert "<ins>38</ins>" in page.text
    home = await client.get("/mijn")
    assert number in home.text and "Geldig" in home.text
    certificate = await client.get(f"/api/v1/certificates/{number}/pdf")
    text = PdfReader(io.BytesIO(certificate.content)).pages[0].extract_text()
    assert "Groen Facilitair BV" in text and "Dochter Schoonmaak BV" in text


async def test_voucher_from_mijn_for_eligible_schemes(client, session_maker, make_token) -> None:
    from pso.clock import today

    town = await make_token("municipality", municipality_code="GM0363")
    day = today()
    scheme = {"title": "PSO-voucher Amsterdam", "municipalityCode": "GM0363",
              "voucherAmount": "1500.00", "budget": "3000.00",
              "applicationOpensOn": day.isoformat(), "applicationClosesOn": day.isoformat(),
              "voucherValidityDays": 365, "maxFte": "50", "eligibleMunicipalityCodes": ["GM0363"]}
    open_one = (await client.post("/api/v1/voucher-schemes", json=scheme, headers=town)).json()
    elsewhere = (await client.post("/api/v1/voucher-schemes", headers=town, json={
        **scheme, "title": "Alleen Utrecht", "eligibleMunicipalityCodes": ["GM0344"]})).json()
    await signed_in(client, session_maker)
    await register(client, ())
    page = await client.get("/mijn/vouchers")
    assert "PSO-voucher Amsterdam" in page.text and "Alleen Utrecht" in page.text
    assert f'action="/mijn/vouchers/{open_one["id"]}"' in page.text
    assert f'action="/mijn/vouchers/{elsewhere["id"]}"' not in page.text
    shown = visible(page.text)
    assert "Organisaties uit gemeente Amsterdam komen niet in aanmerking" in shown
    assert "ten hoogste 50 fte" in shown and "GM0" not in shown
    too_big = await post(client, f"/mijn/vouchers/{open_one['id']}", {"fte": "80"},
                         page="/mijn/vouchers")
    assert too_big.status_code == 409 and "ten hoogste" in too_big.text
    bad = await post(client, f"/mijn/vouchers/{open_one['id']}", {"fte": "veel"},
                     page="/mijn/vouchers")
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text
    done = await post(client, f"/mijn/vouchers/{open_one['id']}", {"fte": "12,5"},
                      page="/mijn/vouchers")
    assert done.status_code == 303
    page = await client.get("/mijn/vouchers")
    assert "is toegekend" in page.text and "al een voucher van deze regeling" in page.text
    assert "€ 1.500,00" in (await client.get("/mijn")).text
    # A scheme that needs the municipality's approval: the application becomes a request.
    approval = (await client.post("/api/v1/voucher-schemes", headers=town, json={
        **scheme, "title": "Met toets", "requiresApproval": True})).json()
    asked = await post(client, f"/mijn/vouchers/{approval['id']}", {"fte": "12,5"},
                       page="/mijn/vouchers")
    assert asked.status_code == 303
    page = await client.get("/mijn/vouchers")
    assert "de gemeente beoordeelt" in page.text and "aangevraagd" in page.text


async def test_the_holder_downloads_its_voucher_pdf(client, session_maker, make_token) -> None:
    from pso.clock import today
    from pso.voucher_codes import display

    town = await make_token("municipality", municipality_code="GM0363")
    day = today().isoformat()
    scheme = {"title": "PSO-voucher MKB", "municipalityCode": "GM0363",
              "voucherAmount": "1500.00", "budget": "3000.00", "applicationOpensOn": day,
              "applicationClosesOn": day, "voucherValidityDays": 365, "maxFte": "249.99",
              "eligibleMunicipalityCodes": ["GM0363"]}
    open_one = (await client.post("/api/v1/voucher-schemes", json=scheme, headers=town)).json()
    asked_one = (await client.post("/api/v1/voucher-schemes", headers=town, json={
        **scheme, "title": "Met toets", "requiresApproval": True})).json()
    await signed_in(client, session_maker)
    await register(client, ())
    page = visible((await client.get("/mijn/vouchers")).text)
    assert "Voor organisaties met minder dan 250 fte" in page
    for scheme_id in (open_one["id"], asked_one["id"]):
        done = await post(client, f"/mijn/vouchers/{scheme_id}", {"fte": "12,5"},
                          page="/mijn/vouchers")
        assert done.status_code == 303
    codes = re.findall(r'href="/vouchers/([A-Z0-9]+)"', (await client.get("/mijn/vouchers")).text)
    assert len(codes) == 2
    links = re.findall(r'href="/mijn/vouchers/([A-Z0-9]+)/pdf"',
                       (await client.get("/mijn/vouchers")).text)
    assert len(links) == 1  # the request has no PDF until the municipality approves it
    pdf = await client.get(f"/mijn/vouchers/{links[0]}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="voucher-{links[0]}.pdf"'
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert display(links[0]) in text and "€ 1.500,00" in text and "Amsterdam" in text
    # The request's PDF and someone else's voucher are not given.
    requested = next(c for c in codes if c != links[0])
    refused = await client.get(f"/mijn/vouchers/{requested}/pdf", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/mijn/vouchers"
    note = visible((await client.get("/mijn/vouchers")).text)
    assert "Niet gedownload: Voor deze voucher is nog geen pdf" in note
    other = await client.get("/mijn/vouchers/AAAA-AAAA-AAAA-AAAA-AAAA/pdf",
                             follow_redirects=False)
    assert other.status_code == 303
    # The public page the QR opens leads the signed-in holder back to its vouchers.
    public = await client.get(f"/vouchers/{links[0]}")
    assert 'href="/mijn/vouchers"' in public.text


def test_expiry_reminder_mail_links_to_recertification() -> None:
    from pso import mail
    from tests.mail.test_outbox import CONTEXT

    rendered = mail.render("certificate_expiry", {**CONTEXT, "public_url": "http://pso.test"})
    assert "http://pso.test/mijn/hercertificering" in rendered.text
    assert 'href="http://pso.test/mijn/hercertificering"' in rendered.html
