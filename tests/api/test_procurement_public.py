"""Public calculators: POST /api/v1/tender-evaluations and /api/v1/sroi-calculations,
with certificates issued through the real approval flow."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import event

from pso.clock import today
from pso.procurement.evaluation import Bid, Policy
from pso.schemas.procurement import EvaluationOut
from pso.services import procurement
from tests.api.procurement_support import (
    EXPECTED,
    POLICY,
    certify,
    days,
    five_bids,
    number,
    summary,
    tokens,
)
from tests.api.test_foundation import assert_problem
from tests.conftest import count_rows

pytestmark = pytest.mark.anyio

URL = "/api/v1/tender-evaluations"


@pytest.fixture
async def headers(client, make_token) -> dict[str, dict[str, str]]:
    return await tokens(make_token)


async def evaluate(client, body: dict) -> dict:
    response = await client.post(URL, json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def test_five_bid_tender_as_computed_by_hand(client, headers) -> None:
    bids = await five_bids(client, headers)
    body = await evaluate(client, {"deadline": days(14).isoformat(), "policy": POLICY,
                                   "bids": bids})
    assert summary(body["ranking"]) == EXPECTED
    # Sent without a second validation: it must still be exactly the documented shape.
    assert EvaluationOut.model_validate(body).model_dump(mode="json") == body
    assert body["provisional"] is True and body["deadline"] == days(14).isoformat()
    assert body["policy"] == {"mode": "percentage", "penaltyFactor": "1.5", "values": {
        "aspirant": "1.00", "basistrede": "2.00", "trede1": "3.00", "trede2": "5.00",
        "trede3": "7.00", "pso30plus": "10.00"}}
    charlie, delta, echo = body["ranking"][:3]
    assert charlie["appliedFrom"] == "pso30plus" and charlie["appliedValue"] == "10.00"
    assert charlie["price"] == "101234.57" and charlie["submissionOrder"] == 3
    assert delta["price"] == "99999.99" and "niet geverifieerd" in delta["notes"][0]
    assert [(m["kvk"], m["rung"]) for m in echo["members"]] == [
        ("10000005", "trede3"), ("10000006", "basistrede")]
    # Money is sent as strings, never as JSON numbers.
    for row in body["ranking"]:
        for key in ("price", "advantage", "fictitiousPrice", "penaltyIfNotMaintained"):
            assert isinstance(row[key], str) and row[key].count(".") == 1
            assert len(row[key].split(".")[1]) == 2


async def test_status_on_the_deadline_decides(client, headers) -> None:
    valid = await number(client, headers, "20000005", "trede2")
    revoked = await number(client, headers, "20000001", "trede3")
    suspended = await number(client, headers, "20000002", "trede3")
    later = await number(client, headers, "20000003", "trede3", valid_from=days(30))
    old = await number(client, headers, "20000006", "trede2")
    await number(client, headers, "20000006", "trede3", valid_from=days(5))  # supersedes `old`
    for path, payload in ((f"{revoked}/revocation", {"reason": "Fraude"}),
                          (f"{suspended}/suspension", {"reason": "Onderzoek"})):
        response = await client.post(f"/api/v1/certificates/{path}", json=payload,
                                     headers=headers["auditor"])
        assert response.status_code == 200
    bids = [
        {"bidder": "Geldig", "kvk": "20000005", "price": "1000", "certificateNumber": valid},
        {"bidder": "Ingetrokken", "kvk": "20000001", "price": "1000",
         "certificateNumber": revoked},
        {"bidder": "Geschorst", "kvk": "20000002", "price": "1000",
         "certificateNumber": suspended},
        {"bidder": "Pas later", "kvk": "20000003", "price": "1000", "certificateNumber": later},
        {"bidder": "Geleend", "kvk": "20000004", "price": "1000", "certificateNumber": valid},
        {"bidder": "Onbekend", "kvk": "20000007", "price": "1000",
         "certificateNumber": "PSO-2020-999999"},
        {"bidder": "Vervangen", "kvk": "20000006", "price": "1000", "certificateNumber": old},
    ]
    body = await evaluate(client, {"deadline": days(10).isoformat(), "policy": POLICY,
                                   "bids": bids})
    rows = {r["bidder"]: r for r in body["ranking"]}
    # Geldig: 5 % of 1000.00 = 50.00 -> 950.00, first; the rest tie at 1000.00 in order.
    assert [(r["bidder"], r["rung"], r["fictitiousPrice"]) for r in body["ranking"]] == [
        ("Geldig", "trede2", "950.00"), *[(b["bidder"], "none", "1000.00") for b in bids[1:]]]
    assert "ingetrokken" in rows["Ingetrokken"]["notes"][0]
    assert "geschorst" in rows["Geschorst"]["notes"][0]
    assert "nog niet geldig" in rows["Pas later"]["notes"][0]
    assert rows["Geleend"]["notes"] == [
        f"Certificaat {valid} hoort bij KvK-nummer 20000005, niet bij 20000004."]
    assert rows["Onbekend"]["notes"] == [
        "Certificaat PSO-2020-999999 staat niet in het PSO-register."]
    assert "vervangen door een nieuwer certificaat" in rows["Vervangen"]["notes"][0]

    # A deadline before the revocation: the certificate was still valid then.
    before = await number(client, headers, "20000008", "trede3", valid_from=days(-30))
    await client.post(f"/api/v1/certificates/{before}/revocation", json={"reason": "Later"},
                      headers=headers["auditor"])
    past = await evaluate(client, {"deadline": days(-1).isoformat(), "policy": POLICY, "bids": [
        {"bidder": "Toen geldig", "kvk": "20000008", "price": "1000", "certificateNumber": before}]})
    assert past["ranking"][0]["rung"] == "trede3" and past["provisional"] is False
    # Long after validUntil: expired.
    late = await evaluate(client, {"deadline": days(800).isoformat(), "policy": POLICY,
                                   "bids": bids[:1]})
    assert late["ranking"][0]["rung"] == "none"
    assert "verlopen" in late["ranking"][0]["notes"][0]


async def test_pso30plus_is_found_by_kvk_and_needs_every_member(client, headers) -> None:
    ladder, plus = (c["number"] for c in await certify(client, headers, "30000001", "trede3+30"))
    other = await number(client, headers, "30000002", "trede3")
    policy = {"mode": "amount", "values": {"trede3": "5000", "pso30plus": "8000.00"}}
    body = await evaluate(client, {"deadline": days(3).isoformat(), "policy": policy, "bids": [
        {"bidder": "Met ladder", "kvk": "30000001", "price": "100000", "certificateNumber": ladder},
        {"bidder": "Combi", "kvk": "30000002", "price": "100000", "consortium": [
            {"kvk": "30000002", "certificateNumber": other},
            {"kvk": "30000001", "certificateNumber": plus}]},
    ]})
    # Met ladder: its PSO 30+ (looked up by KvK) 8000.00 beats trede3 5000.00 -> 92000.00
    # Combi: 30000002 has no PSO 30+ -> trede3 5000.00 -> 95000.00
    assert [(r["bidder"], r["pso30Plus"], r["appliedFrom"], r["fictitiousPrice"])
            for r in body["ranking"]] == [("Met ladder", True, "pso30plus", "92000.00"),
                                           ("Combi", False, "trede3", "95000.00")]


async def test_all_certificates_in_one_query(headers, client, session_maker) -> None:
    numbers = [await number(client, headers, f"4000000{i}", "trede2") for i in range(3)]
    bids = [Bid(f"B{i}", f"{40000000 + i:08d}", Decimal("100.00"),
                numbers[i % 3] if i < 3 else f"PSO-2020-{i:06d}") for i in range(60)]
    statements: list[str] = []
    engine = session_maker.kw["bind"].sync_engine
    listener = lambda *args: statements.append(args[2])
    event.listen(engine, "before_cursor_execute", listener)
    try:
        async with session_maker() as session:
            ranking, facts = await procurement.evaluate(
                session, today(), Policy("percentage", {}), bids)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, selects
    assert len(ranking) == 60 and set(facts) == set(numbers)


async def test_bad_input_lists_every_field_error(client) -> None:
    body = {
        "deadline": "2026-02-30",
        "policy": {"mode": "percentage", "values": {"trede2": "101", "trede4": "5",
                                                    "trede1": "-1"}, "penaltyFactor": "x"},
        "bids": [
            {"bidder": "Nul", "kvk": "10000001", "price": "0"},
            {"bidder": "Negatief", "kvk": "10000002", "price": "-100.00"},
            {"bidder": "Te precies", "kvk": "10000003", "price": "100.001"},
            {"bidder": "Dubbel", "kvk": "10000003", "price": "100"},
            {"bidder": "Trede", "kvk": "10000004", "price": "1", "declaredRung": "trede9"},
            {"bidder": "Beide", "kvk": "10000005", "price": "1", "declaredRung": "trede1",
             "certificateNumber": "PSO-2026-000001"},
            {"bidder": "Nummer", "kvk": "10000006", "price": "1", "certificateNumber": "PSO-1"},
            {"bidder": "Drijvend", "kvk": "10000007", "price": "NaN"},
            {"bidder": "Combi", "kvk": "10000008", "price": "1", "consortium": [
                {"kvk": "10000009"}, {"kvk": "10000009"}]},
            {"bidder": "", "kvk": "1234", "price": True},
        ],
    }
    problem = assert_problem(await client.post(URL, json=body), 400, "invalid-input")
    names = {p["name"] for p in problem["invalidParams"]}
    assert {
        "deadline", "policy.values.trede2", "policy.values.trede4", "policy.values.trede1",
        "policy.penaltyFactor", "bids[0].price", "bids[1].price", "bids[2].price",
        "bids[3].kvk", "bids[4].declaredRung", "bids[5].declaredRung",
        "bids[6].certificateNumber", "bids[7].price", "bids[8].consortium",
        "bids[8].consortium[1].kvk", "bids[9].bidder", "bids[9].kvk", "bids[9].price",
    } <= names, names
    reasons = {p["name"]: p["reason"] for p in problem["invalidParams"]}
    assert reasons["policy.values.trede2"] == "Een percentage ligt tussen 0 en 100."
    assert reasons["bids[2].price"] == "Hoogstens 2 decimalen."
    assert reasons["bids[0].price"] == "Moet groter zijn dan 0."
    assert reasons["policy.values.trede4"].startswith("Onbekende trede")


async def test_limits_and_hostile_bodies(client, session_maker) -> None:
    bid = {"bidder": "X", "price": "1"}
    too_many = [{**bid, "kvk": f"{i:08d}"} for i in range(10_001)]
    problem = assert_problem(await client.post(URL, json={
        "deadline": "2026-01-01", "policy": POLICY, "bids": too_many}), 400)
    assert [p["name"] for p in problem["invalidParams"]] == ["bids"]
    for payload in ({}, [], {"deadline": "2026-01-01", "policy": POLICY, "bids": []},
                    {"deadline": "2026-01-01", "policy": {"mode": "gratis"}, "bids": [bid]},
                    {"deadline": "2026-01-01", "policy": POLICY, "bids": "alles"},
                    {"deadline": "2026-01-01", "policy": POLICY, "bids": [bid], "extra": 1}):
        assert_problem(await client.post(URL, json=payload), 400)
    for bidder in ("A\u0000B", "\u202eevil", "x" * 301):
        assert_problem(await client.post(URL, json={"deadline": "2026-01-01", "policy": POLICY,
                       "bids": [{**bid, "kvk": "10000001", "bidder": bidder}]}), 400)
    raw = await client.post(URL, content=b'{"deadline": ', headers={
        "Content-Type": "application/json"})
    assert_problem(raw, 400)
    # Markup and formulas are just text in JSON.
    hostile = '<script>alert(1)</script> =HYPERLINK("x") 🌱'
    body = await evaluate(client, {"deadline": "2026-01-01", "policy": POLICY,
                                   "bids": [{**bid, "kvk": "10000001", "bidder": hostile}]})
    assert body["ranking"][0]["bidder"] == hostile
    assert await count_rows(session_maker, "audit_events") == 0  # nothing stored
    assert await count_rows(session_maker, "tenders") == 0


async def test_float_prices_become_exact_decimals(client) -> None:
    body = await evaluate(client, {"deadline": "2026-01-01", "bids": [
        {"bidder": "A", "kvk": "10000001", "price": 0.1, "declaredRung": "trede1"},
        {"bidder": "B", "kvk": "10000002", "price": 1e3, "declaredRung": "trede1"}],
        "policy": {"mode": "percentage", "values": {"trede1": 50.5}, "penaltyFactor": 2}})
    # A: 0.10 × 50.5 % = 0.0505 -> 0.05; B: 1000.00 × 50.5 % = 505.00
    assert [(r["price"], r["advantage"], r["penaltyIfNotMaintained"])
            for r in body["ranking"]] == [("0.10", "0.05", "0.10"), ("1000.00", "505.00",
                                                                     "1010.00")]
    assert json.dumps(body).count("e+") == 0


SROI = "/api/v1/sroi-calculations"


async def test_sroi_with_a_real_certificate(client, headers) -> None:
    cert = await number(client, headers, "50000001", "trede2")
    base = {"contractValue": "2500000.00", "reductions": {"trede2": 100, "trede1": "50"},
            "kvk": "50000001", "tenderDate": today().isoformat()}
    ok = await client.post(SROI, json={**base, "certificateNumber": cert,
                                       "contractEnd": days(365).isoformat()})
    assert ok.status_code == 200, ok.text
    # 2500000.00 × 5 % = 125000.00; trede2 100 % -> 125000.00 reduction, nothing remains
    assert {k: ok.json()[k] for k in ("obligation", "rung", "reductionPct", "reduction",
                                      "remainingObligation", "warnings")} == {
        "obligation": "125000.00", "rung": "trede2", "reductionPct": "100.00",
        "reduction": "125000.00", "remainingObligation": "0.00", "warnings": []}
    long = (await client.post(SROI, json={**base, "certificateNumber": cert, "ratePct": "2",
                                          "cap": "40000", "contractEnd": days(1000).isoformat()})
            ).json()
    # 2 % = 50000.00, capped at 40000.00; still trede2 on the tender date, but it expires first
    assert (long["obligation"], long["capped"], long["remainingObligation"]) == (
        "40000.00", True, "0.00")
    assert len(long["warnings"]) == 1 and "verloopt op" in long["warnings"][0]
    other = (await client.post(SROI, json={**base, "kvk": "50000002", "certificateNumber": cert,
                                           "contractEnd": days(30).isoformat()})).json()
    assert other["rung"] == "none" and other["remainingObligation"] == "125000.00"
    assert "hoort bij KvK-nummer 50000001" in other["warnings"][0]
    later = (await client.post(SROI, json={**base, "certificateNumber": cert,
                                           "tenderDate": days(-5).isoformat(),
                                           "contractEnd": days(30).isoformat()})).json()
    assert later["rung"] == "none" and "nog niet geldig" in later["warnings"][0]
    none = (await client.post(SROI, json={**base, "contractEnd": days(30).isoformat()})).json()
    assert (none["rung"], none["warnings"], none["reduction"]) == ("none", [], "0.00")


async def test_sroi_bad_input(client) -> None:
    problem = assert_problem(await client.post(SROI, json={
        "contractValue": "-1", "ratePct": "100.5", "cap": "0", "reductions": {"trede7": 10,
                                                                             "trede1": 120},
        "kvk": "1", "certificateNumber": "PSO-2026-000001", "declaredRung": "trede2",
        "tenderDate": "2026-05-01", "contractEnd": "2026-04-30"}), 400)
    assert {p["name"] for p in problem["invalidParams"]} >= {
        "contractValue", "ratePct", "cap", "reductions.trede7", "reductions.trede1", "kvk",
        "declaredRung", "contractEnd"}
