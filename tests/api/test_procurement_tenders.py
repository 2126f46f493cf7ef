"""Stored tenders: the 5-bid tender end to end, the decided snapshot, CSV and PDF, access."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certificates.formatting import dutch_date
from pso.api.tenders import TenderEvaluationOut
from pso.clock import today
from pso.db.models import AuditEvent
from pso.services import tender_exports
from pso.services import tenders as tender_service
from tests.api.procurement_support import EXPECTED, POLICY, days, five_bids, summary, tokens
from tests.api.test_foundation import assert_problem
from tests.conftest import count_rows

pytestmark = pytest.mark.anyio

URL = "/api/v1/tenders"


@pytest.fixture
async def headers(client, make_token) -> dict[str, dict[str, str]]:
    return await tokens(make_token)


async def new_tender(client, headers, deadline=None, **extra) -> dict:
    body = {"title": "Groenonderhoud wijk Oost 2027", "reference": "AB-2026-017",
            "deadline": (deadline or today()).isoformat(), "policy": POLICY, **extra}
    response = await client.post(URL, json=body, headers=headers["procurement"])
    assert response.status_code == 201, response.text
    return response.json()


async def add_bids(client, headers, tender_id: int, bids: list[dict]) -> None:
    for i, bid in enumerate(bids, start=1):
        response = await client.post(f"{URL}/{tender_id}/bids", json=bid,
                                     headers=headers["procurement"])
        assert response.status_code == 201, response.text
        assert response.json()["submissionOrder"] == i


def travel(monkeypatch, days_ahead: int) -> None:
    """Let the tender service live `days_ahead` days later (the register stays today)."""
    monkeypatch.setattr(tender_service, "today", lambda: today() + timedelta(days=days_ahead))


async def test_five_bid_tender_end_to_end_and_snapshot(client, headers, session_maker) -> None:
    tender = await new_tender(client, headers)
    assert (tender["status"], tender["bidCount"], tender["bids"]) == ("open", 0, [])
    assert tender["policy"]["values"]["pso30plus"] == "10.00"
    bids = await five_bids(client, headers)
    await add_bids(client, headers, tender["id"], bids)
    tid = tender["id"]

    read = (await client.get(f"{URL}/{tid}", headers=headers["procurement"])).json()
    assert [(b["submissionOrder"], b["kvk"], b["price"]) for b in read["bids"]] == [
        (1, "10000001", "100000.00"), (2, "10000002", "98500.00"), (3, "10000003", "101234.57"),
        (4, "10000004", "99999.99"), (5, "10000005", "97000.00")]
    assert read["bids"][4]["consortium"][1]["kvk"] == "10000006"

    provisional = (await client.get(f"{URL}/{tid}/evaluation",
                                    headers=headers["procurement"])).json()
    assert provisional["provisional"] is True and provisional["evaluatedAt"] is None
    assert summary(provisional["ranking"]) == EXPECTED

    fixed = await client.post(f"{URL}/{tid}/evaluation", headers=headers["procurement"])
    assert fixed.status_code == 200, fixed.text
    decided = fixed.json()
    assert decided["provisional"] is False and decided["evaluatedAt"]
    assert summary(decided["ranking"]) == EXPECTED
    # Sent without a second validation: it must still be exactly the documented shape.
    assert TenderEvaluationOut.model_validate(decided).model_dump(mode="json") == decided
    facts = {f["number"]: f for f in decided["registerFacts"]}
    charlie = bids[2]["certificateNumber"]
    assert facts[charlie]["status"] == "valid" and facts[charlie]["kvk"] == "10000003"
    assert {f["kind"] for f in facts.values()} == {"ladder", "pso30plus"}
    assert_problem(await client.post(f"{URL}/{tid}/bids", headers=headers["procurement"], json={
        "bidder": "Te laat", "kvk": "10000009", "price": "1"}), 409, "tender-evaluated")

    # Revoked afterwards (on the deadline day itself): the live register now says `none`...
    revoked = await client.post(f"/api/v1/certificates/{charlie}/revocation",
                                json={"reason": "Onjuiste opgave"}, headers=headers["auditor"])
    assert revoked.status_code == 200
    live = (await client.post("/api/v1/tender-evaluations", json={
        "deadline": today().isoformat(), "policy": POLICY, "bids": bids})).json()
    # Issue 13: the PSO 30+ certificate follows its revoked ladder certificate, so Charlie
    # keeps no advantage at all (before, the 30+ certificate still granted 10 %).
    charlie_live = live["ranking"][-1]
    assert charlie_live["bidder"] == "Charlie Groen" and charlie_live["rung"] == "none"
    assert charlie_live["pso30Plus"] is False and charlie_live["advantage"] == "0.00"
    # ...but the decided evaluation reads exactly as it was decided, also after a second fix.
    again = (await client.get(f"{URL}/{tid}/evaluation", headers=headers["procurement"])).json()
    assert again == decided
    assert (await client.post(f"{URL}/{tid}/evaluation",
                              headers=headers["procurement"])).json() == decided
    assert (await client.get(f"{URL}/{tid}", headers=headers["procurement"])).json()[
        "status"] == "evaluated"

    async with session_maker() as session:
        actions = [e.action for e in await session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "tender")
            .order_by(AuditEvent.id))]
    assert actions == ["tender.created"] + ["tender.bid_added"] * 5 + ["tender.evaluated"]


async def test_first_look_after_the_deadline_fixes_it(client, headers, monkeypatch) -> None:
    tender = await new_tender(client, headers)
    tid = tender["id"]
    await add_bids(client, headers, tid, [
        {"bidder": "Alleen", "kvk": "10000001", "price": "500.00", "declaredRung": "trede3"}])
    travel(monkeypatch, 1)
    assert_problem(await client.post(f"{URL}/{tid}/bids", headers=headers["procurement"], json={
        "bidder": "Te laat", "kvk": "10000002", "price": "1"}), 409, "tender-closed")
    assert (await client.get(f"{URL}/{tid}", headers=headers["procurement"])).json()[
        "status"] == "closed"
    first = (await client.get(f"{URL}/{tid}/evaluation", headers=headers["procurement"])).json()
    assert first["provisional"] is False and first["evaluatedBy"] == "test procurement"
    # 7 % of 500.00 = 35.00 -> 465.00, declared so not verified
    assert [(r["fictitiousPrice"], r["verified"]) for r in first["ranking"]] == [
        ("465.00", False)]
    travel(monkeypatch, 30)
    assert (await client.get(f"{URL}/{tid}/evaluation",
                             headers=headers["procurement"])).json() == first


async def test_fixing_waits_for_the_deadline_day(client, headers, session_maker) -> None:
    tender = await new_tender(client, headers, deadline=days(5))
    assert_problem(await client.post(f"{URL}/{tender['id']}/evaluation",
                                     headers=headers["procurement"]), 409, "tender-open")
    provisional = await client.get(f"{URL}/{tender['id']}/evaluation",
                                   headers=headers["procurement"])
    assert provisional.json()["provisional"] is True and provisional.json()["ranking"] == []
    async with session_maker() as session:
        assert await session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "tender.evaluated")) is None


async def test_csv_export_opens_in_excel(client, headers) -> None:
    tender = await new_tender(client, headers)
    bids = await five_bids(client, headers)
    bids[1]["bidder"] = '=HYPERLINK("http://evil.example","klik") & "Bravo"; ook'
    await add_bids(client, headers, tender["id"], bids)
    response = await client.get(f"{URL}/{tender['id']}/evaluation", params={"format": "csv"},
                                headers=headers["procurement"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="beoordeling-aanbesteding-{tender["id"]}-voorlopig.csv"')
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Positie", "Inschrijver", "KvK-nummer", "Inschrijfprijs"]
    table = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert [(r["Positie"], r["KvK-nummer"], r["Trede"], r["Voordeel"], r["Fictieve prijs"],
             r["Boete bij niet handhaven"]) for r in table] == [
        ("1", "10000003", "Trede 3", "10123,46", "91111,11", "15185,19"),
        ("2", "10000004", "Trede 2", "5000,00", "94999,99", "7500,00"),
        ("3", "10000005", "Basistrede", "1940,00", "95060,00", "2910,00"),
        ("4", "10000001", "Trede 1", "3000,00", "97000,00", "4500,00"),
        ("5", "10000002", "Geen trede", "0,00", "98500,00", "0,00"),
    ]
    assert table[0]["PSO 30+"] == "ja" and table[1]["Geverifieerd"] == "nee"
    assert table[4]["Inschrijver"] == "'" + bids[1]["bidder"]  # not a formula in Excel
    assert table[4]["Inschrijfprijs"] == "98500,00" and "." not in table[0]["Inschrijfprijs"]
    by_accept = await client.get(f"{URL}/{tender['id']}/evaluation",
                                 headers={**headers["procurement"], "Accept": "text/csv"})
    assert by_accept.content == raw


async def test_pdf_report(client, headers) -> None:
    tender = await new_tender(client, headers, title='Groen & "Schoon" <onderhoud> 🌱')
    await add_bids(client, headers, tender["id"], await five_bids(client, headers))
    await client.post(f"{URL}/{tender['id']}/evaluation", headers=headers["procurement"])
    response = await client.get(f"{URL}/{tender['id']}/evaluation", params={"format": "pdf"},
                                headers=headers["procurement"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "definitief.pdf" in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    # (pypdf reads the bold euro sign of the fictitious price as \x84; poppler reads "€".)
    text = " ".join(" ".join(p.extract_text().replace("\x00", "").split())
                    for p in reader.pages)
    for expected in ("Beoordeling aanbesteding", "Definitief", "AB-2026-017",
                     "Groen & \"Schoon\" <onderhoud>", "Charlie Groen", "Combinatie Echo-Foxtrot",
                     "91.111,11", "€ 10.123,46", "€ 15.185,19", "Trede 3", "PSO 30+",
                     "nee, opgegeven", "Basistrede", "Geen trede", "10,00 %", "fictieve korting",
                     "Lid 10000006: Basistrede", "Gebruikte gegevens uit het PSO-register"):
        assert expected in text, expected
    assert dutch_date(today()) in text  # the deadline
    again = await client.get(f"{URL}/{tender['id']}/evaluation",
                             headers={**headers["procurement"], "Accept": "application/pdf"})
    assert again.content == response.content  # a decided report renders the same bytes


async def test_only_the_owner_and_admins_see_a_tender(client, headers) -> None:
    tender = await new_tender(client, headers, deadline=days(3))
    tid = tender["id"]
    bid = {"bidder": "A", "kvk": "10000001", "price": "10"}
    other = headers["other_procurement"]
    for method, path, body in (("GET", f"{URL}/{tid}", None), ("POST", f"{URL}/{tid}/bids", bid),
                               ("GET", f"{URL}/{tid}/evaluation", None),
                               ("POST", f"{URL}/{tid}/evaluation", None),
                               ("GET", f"{URL}/999999", None)):
        assert_problem(await client.request(method, path, json=body, headers=other), 404)
        for role in ("company", "municipality", "auditor"):
            assert_problem(await client.request(method, path, json=body, headers=headers[role]),
                           403)
        assert_problem(await client.request(method, path, json=body), 401)
    assert_problem(await client.post(URL, json={}, headers=headers["company"]), 403)
    assert (await client.get(f"{URL}/{tid}", headers=headers["admin"])).status_code == 200
    listed = (await client.get(URL, headers=headers["procurement"])).json()
    assert [t["id"] for t in listed["items"]] == [tid] and listed["items"][0]["bids"] is None
    assert (await client.get(URL, headers=other)).json()["total"] == 0
    assert (await client.get(URL, headers=headers["admin"])).json()["total"] == 1


async def test_bad_input_stores_nothing(client, headers, session_maker) -> None:
    problem = assert_problem(await client.post(URL, headers=headers["procurement"], json={
        "title": "", "reference": "x" * 101, "deadline": days(-1).isoformat(),
        "policy": {"mode": "percentage", "values": {"trede2": "100.01", "trede6": 1},
                   "penaltyFactor": "-1"}}), 400)
    assert {p["name"] for p in problem["invalidParams"]} == {
        "title", "reference", "deadline", "policy.values.trede2", "policy.values.trede6",
        "policy.penaltyFactor"}
    assert await count_rows(session_maker, "tenders") == 0

    tender = await new_tender(client, headers, deadline=days(2))
    tid = tender["id"]
    await add_bids(client, headers, tid, [{"bidder": "Eerste", "kvk": "10000001", "price": "1"}])
    audit_before = await count_rows(session_maker, "audit_events")
    for bid, names in (
        ({"bidder": "Nul", "kvk": "10000002", "price": "0"}, {"price"}),
        ({"bidder": "Min", "kvk": "10000002", "price": "-5"}, {"price"}),
        ({"bidder": "Cent", "kvk": "10000002", "price": "1.005"}, {"price"}),
        ({"bidder": "Trede", "kvk": "10000002", "price": "1", "declaredRung": "trede4"},
         {"declaredRung"}),
        ({"bidder": "Combi", "kvk": "10000002", "price": "1", "certificateNumber":
          "PSO-2026-000001", "consortium": [{"kvk": "10000003"}, {"kvk": "10000003"}]},
         {"consortium", "consortium[1].kvk"}),
        ({"bidder": "\u0007", "kvk": "abc", "price": "x", "extra": 1},
         {"bidder", "kvk", "price", "extra"}),
    ):
        problem = assert_problem(await client.post(f"{URL}/{tid}/bids", json=bid,
                                                   headers=headers["procurement"]), 400)
        assert {p["name"] for p in problem["invalidParams"]} == names, problem
    assert_problem(await client.post(f"{URL}/{tid}/bids", headers=headers["procurement"], json={
        "bidder": "Nog eens", "kvk": "10000001", "price": "2"}), 409, "duplicate-bidder")
    assert await count_rows(session_maker, "tender_bids") == 1
    assert await count_rows(session_maker, "audit_events") == audit_before
    for path in (f"{URL}/0", f"{URL}/abc", f"{URL}/99999999999999999999"):
        assert (await client.get(path, headers=headers["procurement"])).status_code in (400, 404)
    assert_problem(await client.get(f"{URL}/{tid}/evaluation", params={"format": "xlsx"},
                                    headers=headers["procurement"]), 400)


async def test_bids_honour_idempotency_keys(client, headers, session_maker) -> None:
    tender = await new_tender(client, headers, deadline=days(1))
    key = {**headers["procurement"], "Idempotency-Key": "bod-1"}
    bid = {"bidder": "A", "kvk": "10000001", "price": "10"}
    first = await client.post(f"{URL}/{tender['id']}/bids", json=bid, headers=key)
    second = await client.post(f"{URL}/{tender['id']}/bids", json=bid, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert await count_rows(session_maker, "tender_bids") == 1


async def test_pdf_is_refused_for_very_large_tenders(client, headers, monkeypatch) -> None:
    monkeypatch.setattr(tender_exports, "MAX_PDF_BIDS", 1)
    tender = await new_tender(client, headers)
    await add_bids(client, headers, tender["id"], [
        {"bidder": "A", "kvk": "10000001", "price": "1"},
        {"bidder": "B", "kvk": "10000002", "price": "2"}])
    travel(monkeypatch, 1)
    assert_problem(await client.get(f"{URL}/{tender['id']}/evaluation", params={"format": "pdf"},
                                    headers=headers["procurement"]), 409, "report-too-large")
    # The refused PDF was still the first look after the deadline: the evaluation is fixed.
    read = await client.get(f"{URL}/{tender['id']}", headers=headers["procurement"])
    assert read.json()["status"] == "evaluated"
    csv_export = await client.get(f"{URL}/{tender['id']}/evaluation", params={"format": "csv"},
                                  headers=headers["procurement"])
    assert csv_export.status_code == 200
