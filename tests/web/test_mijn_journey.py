"""What the company reads in MijnPSO (issue 21 items 1-6): the rung wording before the
quality questions, the scenario, the PDF before and after the decision, corrections in the
form's Dutch, evidence and where "verder" leads."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from pso.db.models import AssessmentDocument, AuditEvent, DocumentContent
from tests.web.test_mijn import post, register, signed_in, step1, stored, visible

pytestmark = pytest.mark.anyio

QUALITY = ("suitableWork", "integration", "development", "guidance")


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(content)).pages)


async def trede3_draft(client, session_maker) -> int:
    """20 FTE with 3 full-time Wajong staff: 15 % against the trede 3 norm of 10,8 %."""
    await signed_in(client, session_maker)
    await register(client)
    aid = await step1(client, "20")
    rows = {}
    for i in range(3):
        rows.update({f"employees[{i}].reference": f"MW-10{i + 1}",
                     f"employees[{i}].startingPosition": "wajong",
                     f"employees[{i}].contractType": "regular",
                     f"employees[{i}].hoursPerWeek": "40",
                     f"employees[{i}].employmentStart": "2024-01-01"})
    saved = await post(client, f"/mijn/aanvraag/{aid}/stap/2", rows)
    assert saved.status_code == 303, saved.text
    return aid


async def test_step4_says_what_the_numbers_reach_before_the_quality_questions(
        client, session_maker) -> None:
    aid = await trede3_draft(client, session_maker)
    page = visible((await client.get(f"/mijn/aanvraag/{aid}/stap/4")).text)
    assert "Geen trede" not in page and "geen trede" not in page
    assert "Trede 3 op grond van de cijfers" in page
    assert ("Uw cijfers halen trede 3. Die trede wordt toegekend als u in stap 5 de "
            "kwaliteitsvragen hebt beantwoord en aan alle vier de eisen voldoet.") in page
    # the explanation: hand-computed 3 / 20 = 15,00 %, norm 10,80 %, no broken Dutch
    assert "Totale sociale bijdrage: 15,00 %." in page
    assert "Op grond van de cijfers wordt trede 3 gehaald (15,00 % ≥ 10,80 %)." in page
    assert ("De kwaliteitsvragen (stap 5) zijn nog niet beantwoord: trede 3 wordt toegekend "
            "als aan alle vier de kwaliteitseisen is voldaan.") in page
    assert "wordt geen de" not in page
    # the scenario: one more hire, the numbers' rung, not "Geen trede"
    what_if = await post(client, f"/mijn/aanvraag/{aid}/scenario", {
        "hires[0].count": "1", "hires[0].hoursPerWeek": "40",
        "hires[0].startingPosition": "wajong", "hires[0].contractType": "regular"},
        page=f"/mijn/aanvraag/{aid}/stap/4")
    shown = visible(what_if.text)
    assert what_if.status_code == 200 and "Geen trede" not in shown
    assert "Op cijfers Trede 3 (nu trede 3); toegekend als aan alle kwaliteitseisen is " \
           "voldaan (stap 5)" in shown
    # 4 / 21 FTE = 19,047… → 19,05 %
    assert "19,05 % (nu 15,00 %)" in shown
    # the provisional PDF
    pdf = pdf_text((await client.get(f"/mijn/aanvraag/{aid}/uitkomst.pdf")).content)
    assert "Voorlopige uitkomst: Trede 3 op grond van de cijfers" in pdf
    assert "Geen trede" not in pdf


async def test_after_step5_the_rung_is_granted_or_the_failed_criteria_named(
        client, session_maker) -> None:
    aid = await trede3_draft(client, session_maker)
    # only three of four criteria met
    answers = {**{f"quality.{k}": "ja" for k in QUALITY[:3]},
               **{f"motivations.{k}": "Geregeld." for k in QUALITY[:3]}}
    assert (await post(client, f"/mijn/aanvraag/{aid}/stap/5", answers)).status_code == 303
    page = visible((await client.get(f"/mijn/aanvraag/{aid}/stap/4")).text)
    assert ("Niet voldaan aan de kwaliteitseisen (begeleiding); zonder alle vier de eisen "
            "wordt de basistrede of een hogere trede niet toegekend.") in page
    assert "Uitkomst: geen trede." in page
    answers = {**{f"quality.{k}": "ja" for k in QUALITY},
               **{f"motivations.{k}": "Geregeld." for k in QUALITY}}
    assert (await post(client, f"/mijn/aanvraag/{aid}/stap/5", answers)).status_code == 303
    page = visible((await client.get(f"/mijn/aanvraag/{aid}/stap/4")).text)
    assert "Uitkomst: trede 3." in page and "op grond van de cijfers" not in page
    assert (await stored(session_maker, aid)).score["rung"] == "trede3"


async def test_a_correction_reaches_the_company_in_dutch_with_the_auditors_note(
        client, session_maker, make_token) -> None:
    from pso.auth import SYSTEM
    from pso.services import bodies as body_service

    async with session_maker() as session, session.begin():
        await body_service.create(session, SYSTEM, code="KIWA", name="Kiwa Nederland")
    aid = await trede3_draft(client, session_maker)
    answers = {**{f"quality.{k}": "ja" for k in QUALITY},
               **{f"motivations.{k}": "Geregeld." for k in QUALITY}}
    assert (await post(client, f"/mijn/aanvraag/{aid}/stap/5", answers)).status_code == 303
    await post(client, f"/mijn/aanvraag/{aid}/stap/6", {"certifyingBody": "KIWA"})
    assert (await post(client, f"/mijn/aanvraag/{aid}/stap/7",
                       {"confirm": "ja"})).status_code == 303
    reviewer = await make_token("auditor", body="KIWA", name="Rita Reviewer")
    assert (await client.post(f"/api/v1/assessments/{aid}/review",
                              headers=reviewer)).status_code == 200
    current = (await client.get(f"/api/v1/assessments/{aid}", headers=reviewer)).json()
    corrected = {**current["submission"], "totalFte": "20.5"}
    corrected["employees"] = [e for e in corrected["employees"] if e["reference"] != "MW-101"]
    corrected["employees"][1] = {**corrected["employees"][1],
                                 "startingPosition": "ukraine_protection",
                                 "employmentStart": "2024-09-01"}
    fixed = await client.post(f"/api/v1/assessments/{aid}/correction", headers=reviewer, json={
        "submission": corrected, "note": "MW-101 is in 2025 niet in dienst geweest."})
    assert fixed.status_code == 200, fixed.text
    page = visible((await client.get(f"/mijn/aanvraag/{aid}")).text)
    assert ("Toelichting van de auditor" in page
            and "MW-101 is in 2025 niet in dienst geweest." in page)
    # 2 Wajong FTE, one now weighted as Ukraine protection, on 20,5 FTE: below trede 3's norm
    assert ("De auditor heeft 4 gegevens veranderd; de uitkomst ging van trede 3 naar "
            "trede 2.") in page
    assert "Totaal aantal FTE van de organisatie 20 20,5" in page
    assert ("MW-101 (medewerker) Wajong, Regulier dienstverband, 40 uur per week, in dienst "
            "sinds 1 januari 2024 (verwijderd)") in page
    assert "MW-103: uitgangspositie Wajong Tijdelijke bescherming Oekraïne" in page
    assert "MW-103: in dienst sinds 1 januari 2024 1 september 2024" in page
    for internal in ("ukraine_protection", "2024-09-01", "20.5", "{", "True", "False"):
        assert internal not in page, internal
    # approved: the PDF is the outcome, no longer provisional
    completed = await client.post(f"/api/v1/assessments/{aid}/review-completed",
                                  headers=reviewer)
    assert completed.status_code == 200, completed.text
    decider = await make_token("auditor", body="KIWA", name="Dirk Beslisser")
    decided = await client.post(f"/api/v1/assessments/{aid}/decision",
                                json={"outcome": "approved"}, headers=decider)
    assert decided.status_code == 200, decided.text
    # the certificate line says "geldig" once: "Trede 2, geldig tot en met …"
    page = visible((await client.get(f"/mijn/aanvraag/{aid}")).text)
    assert re.search(r"Trede 2, geldig tot en met \d+ \w+ \d{4}", page), page
    assert "geldig, geldig" not in page
    pdf = await client.get(f"/mijn/aanvraag/{aid}/uitkomst.pdf")
    assert pdf.headers["content-disposition"] == f'attachment; filename="uitkomst-{aid}.pdf"'
    text = pdf_text(pdf.content)
    assert "Uitkomst: Trede 2" in text and "goedgekeurd" in text
    assert "voorlopig" not in text.lower()


async def test_evidence_shows_its_size_and_can_be_taken_back_before_submission(
        client, session_maker) -> None:
    aid = await trede3_draft(client, session_maker)
    page_url = f"/mijn/aanvraag/{aid}"
    small = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"  # 45 bytes
    bigger = b"%PDF-1.4\n" + b"0" * 3000  # 3.009 bytes = 2,9 kB
    for name, data in (("verkeerd.pdf", small), ("contract.pdf", bigger)):
        added = await post(client, f"{page_url}/documenten", {},
                           files={"file": (name, data, "application/pdf")}, page=page_url)
        assert added.status_code == 303
    page = visible((await client.get(page_url)).text)
    assert "verkeerd.pdf (45 bytes," in page and "contract.pdf (2,9 kB," in page
    assert "0 kB" not in page
    html = (await client.get(page_url)).text
    first = re.search(rf'action="({page_url}/documenten/(\d+)/verwijderen)"', html)
    gone = await post(client, first.group(1), {}, page=page_url)
    assert gone.status_code == 303
    page = visible((await client.get(page_url)).text)
    assert "Bewijsstuk verkeerd.pdf is verwijderd." in page
    assert "verkeerd.pdf (" not in page and "contract.pdf (2,9 kB," in page
    async with session_maker() as session:
        rows = list(await session.scalars(select(AssessmentDocument)))
        removed = await session.scalar(select(AuditEvent).where(
            AuditEvent.action == "document.removed"))
        content = await session.get(DocumentContent, int(first.group(2)))
    assert [d.file_name for d in rows] == ["contract.pdf"] and content is None
    assert removed.summary["fileName"] == "verkeerd.pdf"
    # after submission the file stays: no button, and a forged post is refused
    answers = {**{f"quality.{k}": "ja" for k in QUALITY},
               **{f"motivations.{k}": "Geregeld." for k in QUALITY}}
    await post(client, f"/mijn/aanvraag/{aid}/stap/5", answers)
    await post(client, f"/mijn/aanvraag/{aid}/stap/6", {})
    assert (await post(client, f"/mijn/aanvraag/{aid}/stap/7",
                       {"confirm": "ja"})).status_code == 303
    html = (await client.get(page_url)).text
    assert "/verwijderen" not in html
    kept = await post(client, f"{page_url}/documenten/{rows[0].id}/verwijderen", {},
                      page=page_url)
    assert kept.status_code == 303
    assert "blijft bewaard" in visible((await client.get(page_url)).text)
    async with session_maker() as session:
        assert await session.get(AssessmentDocument, rows[0].id) is not None


async def test_verder_opens_the_step_where_the_person_stopped(client, session_maker) -> None:
    aid = await trede3_draft(client, session_maker)  # steps 1 and 2 saved
    home = (await client.get("/mijn")).text
    assert f'href="/mijn/aanvraag/{aid}/stap/3"' in home and f"Verder met aanvraag {aid}" in home
    assert '<td data-label="Uitkomst">Trede 3 op grond van de cijfers</td>' in home
    await post(client, f"/mijn/aanvraag/{aid}/stap/3", {})
    await post(client, f"/mijn/aanvraag/{aid}/stap/4", {})
    home = (await client.get("/mijn")).text
    assert f'href="/mijn/aanvraag/{aid}/stap/5"' in home
    again = await client.get("/mijn/aanvraag/nieuw", follow_redirects=False)
    assert again.headers["location"] == f"/mijn/aanvraag/{aid}/stap/5"
