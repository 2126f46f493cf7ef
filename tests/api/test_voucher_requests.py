"""Issue 14 on the voucher API: schemes that require approval (company requests reserve the
budget, the municipality approves or refuses), editing a scheme (PATCH), open schemes for
companies, and PDFs stored with their SHA-256 at each status change, stamped when void."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from pso.auth import SYSTEM
from pso.db.models import AuditEvent, OutboxMail
from pso.jobs import run_jobs
from pso.services import accounts
from tests.api import test_vouchers as base
from tests.api.test_foundation import assert_problem
from tests.api.test_vouchers import (
    FAR,
    HERE,
    TODAY,
    A,
    B,
    C,
    create_scheme,
    figures,
    issue,
    issued,
)
from tests.conftest import count_rows

pytestmark = pytest.mark.anyio

# The fixtures of the voucher API tests: organisations in GM0200 and its neighbour, tokens.
actors = base.actors
day = base.day


def pdf_text(body: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


async def decide(client, headers, code: str, what: str, **body):
    return await client.post(f"/api/v1/vouchers/{code}/{what}", json=body or None,
                             headers=headers)


async def test_company_request_waits_for_approval_and_reserves_the_budget(
    client, actors, session_maker
) -> None:
    mun = actors["municipality"]
    scheme = await create_scheme(client, actors, requiresApproval=True)
    assert scheme["requiresApproval"] is True
    sid = scheme["id"]

    # A company asks: 201 'requested', and the amount is reserved at once.
    asked = await issued(client, actors["company_a"], sid, A, "12")
    assert asked["status"] == "requested" and asked["requestedOn"] == TODAY.isoformat()
    assert asked["pdfSha256"] is None
    fig = await figures(client, actors, sid)
    assert (fig["committed"], fig["available"], fig["n_requested"]) == ("1500.00", "3000.00", 1)
    # No PDF, no redemption, no cancellation of a mere request.
    assert_problem(await client.get(f"/api/v1/vouchers/{asked['code']}/pdf", headers=mun), 409,
                   "voucher-not-issued")
    assert_problem(await decide(client, mun, asked["code"], "cancellation"), 409,
                   "voucher-not-issued")
    # The municipality itself issues directly, also on this scheme.
    direct = await issued(client, mun, sid, C)
    assert direct["status"] == "issued" and direct["pdfSha256"]

    # The company cannot decide on its own request; another municipality does not see it.
    assert_problem(await decide(client, actors["company_a"], asked["code"], "approval"), 403)
    assert_problem(await decide(client, actors["other_municipality"], asked["code"], "approval"),
                   404)

    day_of_approval = TODAY + timedelta(days=3)
    from pso import clock

    clock.today = lambda: day_of_approval  # the `day` fixture restores it
    approved = await decide(client, mun, asked["code"], "approval")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "issued" and body["issuedOn"] == day_of_approval.isoformat()
    assert body["expiresOn"] == (day_of_approval + timedelta(days=89)).isoformat()
    assert body["decidedOn"] == day_of_approval.isoformat() and body["pdfSha256"]
    assert_problem(await decide(client, mun, asked["code"], "approval"), 409,
                   "voucher-not-requested")
    fig = await figures(client, actors, sid)
    assert (fig["committed"], fig["n_issued"]) == ("3000.00", 2)

    # A second request, refused: the amount returns, and the company cannot ask again.
    asked_b = await issued(client, actors["company_b"], sid, B)
    assert (await figures(client, actors, sid))["available"] == "0.00"
    assert_problem(await issue(client, mun, sid, FAR), 409)  # full (and not eligible)
    refused = await decide(client, mun, asked_b["code"], "refusal", reason="Geen MKB")
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "refused" and refused.json()["refusalReason"] == "Geen MKB"
    fig = await figures(client, actors, sid)
    assert (fig["available"], fig["n_refused"]) == ("1500.00", 1)
    assert_problem(await issue(client, actors["company_b"], sid, B), 409,
                   "voucher-already-issued")
    assert_problem(await decide(client, mun, asked_b["code"], "refusal"), 409,
                   "voucher-not-requested")
    assert_problem(await decide(client, mun, asked_b["code"], "refusal", reason="\x00"), 400)

    async with session_maker() as session:
        actions = [e.action for e in await session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "voucher").order_by(AuditEvent.id))]
    assert actions == ["voucher.requested", "voucher.issued", "voucher.approved",
                       "voucher.requested", "voucher.refused"]


async def test_approval_mails_the_holder(client, actors, session_maker) -> None:
    async with session_maker() as session, session.begin():
        party = await accounts.ensure_party(session, "applicant", A, "Groen")
        await accounts.create_account(session, SYSTEM, email="houder@example.nl", name="Hanna",
                                      role="company", party=party, password=None)
    sid = (await create_scheme(client, actors, requiresApproval=True))["id"]
    asked = await issued(client, actors["company_a"], sid, A)
    async with session_maker() as session:
        assert await session.scalar(select(OutboxMail.id)) is None  # nothing for a request
    await decide(client, actors["municipality"], asked["code"], "approval")
    async with session_maker() as session:
        mail = await session.scalar(select(OutboxMail))
    assert mail.to_address == "houder@example.nl" and asked["code"] in mail.text_body


async def test_patch_a_scheme(client, actors, session_maker) -> None:
    mun = actors["municipality"]
    sid = (await create_scheme(client, actors))["id"]
    url = f"/api/v1/voucher-schemes/{sid}"
    await issued(client, mun, sid, A)
    await issued(client, mun, sid, C)
    changed = await client.patch(url, json={
        "title": "Voucher MKB 2026 (verlengd)", "budget": "6000.00",
        "applicationClosesOn": "2027-03-31", "requiresApproval": True,
        "eligibleMunicipalityCodes": [HERE]}, headers=mun)
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["title"], body["budget"], body["available"], body["applicationClosesOn"],
            body["requiresApproval"], body["eligibleMunicipalityCodes"]) == (
        "Voucher MKB 2026 (verlengd)", "6000.00", "3000.00", "2027-03-31", True, [HERE])
    assert body["voucherAmount"] == "1500.00"  # untouched

    # Lowering: down to what is committed is fine, below it is 409.
    assert (await client.patch(url, json={"budget": "3000.00"}, headers=mun)).status_code == 200
    problem = assert_problem(await client.patch(url, json={"budget": "2999.99"}, headers=mun),
                             409, "budget-below-committed")
    assert problem["committed"] == "3000.00"
    # Bad input: every field error at once; rules across fields; unknown fields; others.
    problem = assert_problem(await client.patch(url, json={
        "budget": "-1", "voucherValidityDays": 0, "title": "", "eligibleMunicipalityCodes": []},
        headers=mun), 400)
    assert {p["name"] for p in problem["invalidParams"]} == {
        "budget", "voucherValidityDays", "title", "eligibleMunicipalityCodes"}
    assert_problem(await client.patch(url, json={"applicationOpensOn": "2028-01-01"},
                                      headers=mun), 400)
    assert_problem(await client.patch(url, json={"voucherAmount": "5000.00"}, headers=mun), 400)
    assert_problem(await client.patch(url, json={"municipalityCode": "GM0363"}, headers=mun), 400)
    assert_problem(await client.patch(url, json={"budget": "1e400"}, headers=mun), 400)
    assert_problem(await client.patch(url, content=b"[", headers={
        **mun, "Content-Type": "application/json"}), 400)
    # Another municipality's scheme is answered as one that does not exist (services/access.py).
    assert_problem(await client.patch(url, json={"budget": "9000"},
                                      headers=actors["other_municipality"]), 404)
    assert_problem(await client.patch(url, json={"budget": "9000"},
                                      headers=actors["company_a"]), 403)
    assert_problem(await client.patch(url, json={"budget": "9000"}), 401)
    assert_problem(await client.patch("/api/v1/voucher-schemes/999999", json={"budget": "9000"},
                                      headers=mun), 404)
    final = (await client.get(url, headers=mun)).json()
    assert final["budget"] == "3000.00"
    async with session_maker() as session:
        updates = list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "voucher_scheme.updated")))
    assert len(updates) == 2


async def test_open_schemes_for_a_company(client, actors, make_token) -> None:
    sid = (await create_scheme(client, actors, requiresApproval=True))["id"]
    await create_scheme(client, actors, title="Gesloten", applicationOpensOn="2025-01-01",
                        applicationClosesOn="2025-12-31")
    listed = await client.get("/api/v1/voucher-schemes/open", headers=actors["company_a"])
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(s["id"], s["eligible"], s["requiresApproval"]) for s in items] == [
        (sid, True, True)]
    far = await make_token("company", kvk=FAR)
    item = (await client.get("/api/v1/voucher-schemes/open", headers=far)).json()["items"][0]
    assert item["eligible"] is False and item["ineligibleReason"] == (
        "Organisaties uit gemeente Amsterdam komen niet in aanmerking voor deze regeling.")
    assert_problem(await client.get("/api/v1/voucher-schemes/open", params={"kvk": B},
                                    headers=actors["company_a"]), 403)
    assert_problem(await client.get("/api/v1/voucher-schemes/open", params={"kvk": "12"},
                                    headers=actors["company_a"]), 400)
    assert_problem(await client.get("/api/v1/voucher-schemes/open",
                                    headers=actors["auditor"]), 403)
    await issued(client, actors["company_a"], sid, A)
    item = (await client.get("/api/v1/voucher-schemes/open",
                             headers=actors["company_a"])).json()["items"][0]
    assert item["eligible"] is False and "al een voucher" in item["ineligibleReason"]


async def test_pdf_is_stored_and_stamped(client, actors, day, session_maker, settings) -> None:
    mun = actors["municipality"]
    long_title = ("Voucher voor de PSO-certificering van het midden- en kleinbedrijf in de "
                  "gemeente en de buurgemeenten, tweede tranche, met extra aandacht voor "
                  "leerwerkplekken en statushouders 2026")
    assert len(long_title) > 150
    sid = (await create_scheme(client, actors, title=long_title))["id"]
    voucher = await issued(client, mun, sid, A)
    url = f"/api/v1/vouchers/{voucher['code']}/pdf"
    first = await client.get(url, headers=mun)
    second = await client.get(url, headers=mun)
    assert first.status_code == 200 and first.content == second.content
    assert hashlib.sha256(first.content).hexdigest() == voucher["pdfSha256"]
    text = pdf_text(first.content)
    # The whole title, never cut off (pypdf joins lines with a space or a newline).
    assert " ".join(text.split()).count(" ".join(long_title.split())) >= 1
    assert "INGETROKKEN" not in text and "VERLOPEN" not in text

    cancelled = await decide(client, mun, voucher["code"], "cancellation", reason="Dubbel")
    assert cancelled.status_code == 200
    stamped = (await client.get(url, headers=mun)).content
    assert "INGETROKKEN" in pdf_text(stamped)
    read = (await client.get(f"/api/v1/vouchers/{voucher['code']}", headers=mun)).json()
    assert read["pdfSha256"] == hashlib.sha256(stamped).hexdigest() != voucher["pdfSha256"]

    # Expired: served stamped at once, and stored so by the daily job.
    other = await issued(client, mun, sid, C)
    later = TODAY + timedelta(days=90)
    day.set(later)
    from pso import clock

    before = (await client.get(f"/api/v1/vouchers/{other['code']}", headers=mun)).json()
    assert before["status"] == "expired" and before["pdfSha256"] == other["pdfSha256"]
    assert "VERLOPEN" in pdf_text((await client.get(
        f"/api/v1/vouchers/{other['code']}/pdf", headers=mun)).content)
    report = await run_jobs(session_maker, settings, day=clock.today())
    assert report.results["voucher_pdfs"] == {"restamped": 1}
    after = (await client.get(f"/api/v1/vouchers/{other['code']}", headers=mun)).json()
    body = (await client.get(f"/api/v1/vouchers/{other['code']}/pdf", headers=mun)).content
    assert after["pdfSha256"] == hashlib.sha256(body).hexdigest() != other["pdfSha256"]
    assert "VERLOPEN" in pdf_text(body)
    again = await run_jobs(session_maker, settings, day=clock.today())
    assert again.results["voucher_pdfs"] == {"restamped": 0}
    assert await count_rows(session_maker, "vouchers") == 2


async def test_municipality_names_instead_of_codes(client, actors, session_maker) -> None:
    async with session_maker() as session, session.begin():
        await accounts.ensure_party(session, "municipality", HERE, "Apeldoorn")
    sid = (await create_scheme(client, actors))["id"]
    scheme = (await client.get(f"/api/v1/voucher-schemes/{sid}",
                               headers=actors["municipality"])).json()
    assert scheme["municipalityName"] == "Apeldoorn"
    voucher = await issued(client, actors["municipality"], sid, A)
    body = (await client.get(f"/api/v1/vouchers/{voucher['code']}/pdf",
                             headers=actors["municipality"])).content
    assert "Gemeente Apeldoorn" in pdf_text(body)
