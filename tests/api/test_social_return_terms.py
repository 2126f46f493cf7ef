"""Social return terms after the award (SPEC §8.2, §8.3): PUT/GET, the PSO reduction from the
awarded rung, roles, bad input, the audit log, and the valuation models."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from pso.clock import today
from pso.db.models import AuditEvent, SocialReturnTerms
from tests.api.procurement_support import POLICY, number, tokens
from tests.api.test_contract_monitoring import buyer_token
from tests.api.test_foundation import assert_problem
from tests.conftest import count_rows
from tests.wording import unstyled

pytestmark = pytest.mark.anyio

URL = "/api/v1/tenders"


@pytest.fixture
async def headers(client, make_token, session_maker) -> dict[str, dict[str, str]]:
    found = await tokens(make_token)
    found["buyer"] = await buyer_token(session_maker)
    found["other_buyer"] = await buyer_token(session_maker, "ander@example.nl", "30280354")
    return found


async def awarded_tender(client, headers, bid: dict, *, award: bool = True) -> int:
    body = {"title": "Schoonmaak stadskantoor", "reference": "SR-2026-001",
            "deadline": today().isoformat(), "policy": POLICY}
    created = await client.post(URL, json=body, headers=headers["buyer"])
    assert created.status_code == 201, created.text
    tid = created.json()["id"]
    added = await client.post(f"{URL}/{tid}/bids", json=bid, headers=headers["buyer"])
    assert added.status_code == 201, added.text
    if award:
        done = await client.post(f"{URL}/{tid}/award", headers=headers["buyer"], json={
            "bidder": bid["kvk"], "contractStart": today().isoformat(),
            "contractEnd": (today() + timedelta(days=729)).isoformat()})
        assert done.status_code == 201, done.text
    return tid


DECLARED = {"bidder": "Schoon & Sociaal B.V.", "kvk": "20000002", "price": "250000.00",
            "declaredRung": "trede2"}
TERMS = {"ratePct": "5", "reductions": {"trede2": "50", "trede3": "100"},
         "modelId": "oost-nederland-v05", "settlement": {"rule": "penalty", "factor": "1.5"}}


async def test_terms_after_the_award_with_the_reduction_of_the_awarded_rung(
    client, headers, session_maker
) -> None:
    tid = await awarded_tender(client, headers, DECLARED)
    put = await client.put(f"{URL}/{tid}/social-return", json=TERMS, headers=headers["buyer"])
    assert put.status_code == 200, put.text
    body = put.json()
    # 250.000 × 5 % = 12.500; trede2 → 50 % korting = 6.250; resteert 6.250
    assert {k: body[k] for k in ("contractSum", "ratePct", "obligation", "rung", "verified",
                                 "reductionPct", "reduction", "remainingObligation")} == {
        "contractSum": "250000.00", "ratePct": "5.00", "obligation": "12500.00",
        "rung": "trede2", "verified": False, "reductionPct": "50.00", "reduction": "6250.00",
        "remainingObligation": "6250.00"}
    assert body["contractor"] == "Schoon & Sociaal B.V." and body["kvk"] == "20000002"
    assert body["model"]["id"] == "oost-nederland-v05"
    assert body["model"]["name"] == "Uniform Bouwblokkenmodel Oost-Nederland V05"
    assert (body["periodStart"], body["periodEnd"]) == (
        today().isoformat(), (today() + timedelta(days=729)).isoformat())
    assert body["settlement"] == {"rule": "penalty", "factor": "1.5", "percentage": None}
    got = await client.get(f"{URL}/{tid}/social-return", headers=headers["buyer"])
    assert got.status_code == 200 and got.json() == body
    async with session_maker() as session:
        terms = await session.scalar(select(SocialReturnTerms))
        assert terms.model["blocks"][0]["value"] == "30000"  # the model as agreed, stored
        events = list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("social_return.%"))))
    assert [(e.action, e.entity_id) for e in events] == [("social_return.terms_set", str(tid))]
    assert events[0].summary["remaining"] == "6250.00"


async def test_changing_the_terms_replaces_them_and_is_audited(
    client, headers, session_maker
) -> None:
    tid = await awarded_tender(client, headers, DECLARED)
    assert (await client.put(f"{URL}/{tid}/social-return", json=TERMS,
                             headers=headers["buyer"])).status_code == 200
    fixed = {"contractSum": "240000", "fixedAmount": "8000.00", "reductions": {"trede2": "25"},
             "modelId": "utrecht-b", "periodStart": "2027-01-01", "periodEnd": "2027-12-31",
             "settlement": {"rule": "buyout", "percentage": "80"}}
    put = await client.put(f"{URL}/{tid}/social-return", json=fixed, headers=headers["buyer"])
    assert put.status_code == 200, put.text
    body = put.json()
    # vast 8.000; 25 % korting = 2.000; resteert 6.000
    assert (body["contractSum"], body["ratePct"], body["fixedAmount"], body["obligation"],
            body["reduction"], body["remainingObligation"]) == (
        "240000.00", None, "8000.00", "8000.00", "2000.00", "6000.00")
    assert body["settlement"] == {"rule": "buyout", "factor": None, "percentage": "80.00"}
    assert body["model"]["id"] == "utrecht-b" and body["periodEnd"] == "2027-12-31"
    assert await count_rows(session_maker, "social_return_terms") == 1
    async with session_maker() as session:
        actions = list(await session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("social_return.%")).order_by(AuditEvent.id)))
    assert actions == ["social_return.terms_set", "social_return.terms_changed"]


async def test_cap_and_default_rate_and_no_reduction_without_a_rung(client, headers) -> None:
    bid = {"bidder": "Zonder Certificaat B.V.", "kvk": "20000003", "price": "1000000.00"}
    tid = await awarded_tender(client, headers, bid)
    body = {"cap": "30000", "reductions": {"trede2": "100"}, "modelId": "utrecht-a",
            "settlement": {"rule": "penalty"}}
    put = await client.put(f"{URL}/{tid}/social-return", json=body, headers=headers["buyer"])
    assert put.status_code == 200, put.text
    found = put.json()
    # 1.000.000 × 5 % (standaard) = 50.000, gemaximeerd op 30.000; trede none → geen korting
    assert (found["ratePct"], found["obligation"], found["rung"], found["reduction"],
            found["remainingObligation"], found["settlement"]["factor"]) == (
        "5.00", "30000.00", "none", "0.00", "30000.00", "1")


async def test_verified_rung_and_a_certificate_that_ends_before_the_period(
    client, headers
) -> None:
    cert = await number(client, headers, "10000003", "trede3", name="Charlie Groen")
    bid = {"bidder": "Charlie Groen", "kvk": "10000003", "price": "100000.00",
           "certificateNumber": cert}
    tid = await awarded_tender(client, headers, bid)
    body = {**TERMS, "periodEnd": (today() + timedelta(days=365 * 3)).isoformat()}
    put = await client.put(f"{URL}/{tid}/social-return", json=body, headers=headers["buyer"])
    assert put.status_code == 200, put.text
    found = put.json()
    assert (found["rung"], found["verified"], found["reduction"],
            found["remainingObligation"]) == ("trede3", True, "5000.00", "0.00")
    assert len(found["warnings"]) == 1 and cert in found["warnings"][0]
    assert not unstyled({"detail": found["warnings"][0]})


async def test_before_the_award_is_a_conflict_and_nothing_is_stored(
    client, headers, session_maker
) -> None:
    tid = await awarded_tender(client, headers, DECLARED, award=False)
    put = await client.put(f"{URL}/{tid}/social-return", json=TERMS, headers=headers["buyer"])
    body = assert_problem(put, 409, "tender-not-awarded")
    assert not unstyled(body)
    assert_problem(await client.get(f"{URL}/{tid}/social-return", headers=headers["buyer"]), 404)
    assert await count_rows(session_maker, "social_return_terms") == 0


async def test_only_the_buyer_of_the_tender(client, headers, session_maker) -> None:
    tid = await awarded_tender(client, headers, DECLARED)
    path = f"{URL}/{tid}/social-return"
    assert_problem(await client.put(path, json=TERMS, headers=headers["other_buyer"]), 404)
    assert_problem(await client.put(path, json=TERMS, headers=headers["company"]), 403)
    assert_problem(await client.put(path, json=TERMS), 401)
    assert await count_rows(session_maker, "social_return_terms") == 0
    assert (await client.put(path, json=TERMS, headers=headers["buyer"])).status_code == 200
    assert_problem(await client.get(path, headers=headers["other_buyer"]), 404)
    assert (await client.get(path, headers=headers["admin"])).status_code == 200


@pytest.mark.parametrize(("change", "names"), [
    ({"modelId": "utrecht-z"}, ["modelId"]),
    ({"fixedAmount": "1000"}, ["fixedAmount"]),
    ({"ratePct": None, "fixedAmount": "300000"}, ["fixedAmount"]),
    ({"ratePct": "101"}, ["ratePct"]),
    ({"ratePct": "-1"}, ["ratePct"]),
    ({"contractSum": "12,50"}, ["contractSum"]),
    ({"reductions": {"trede9": "10"}}, ["reductions.trede9"]),
    ({"periodStart": "2027-02-01", "periodEnd": "2027-01-31"}, ["periodEnd"]),
    ({"settlement": {"rule": "buyout"}}, ["settlement.percentage"]),
    ({"settlement": {"rule": "penalty", "percentage": "10"}}, ["settlement.percentage"]),
    ({"settlement": {"rule": "afkoop"}}, ["settlement.rule"]),
    ({"colour": "blue"}, ["colour"]),
])
async def test_bad_input_is_a_dutch_400_and_changes_nothing(
    client, headers, session_maker, change, names
) -> None:
    tid = await awarded_tender(client, headers, DECLARED)
    path = f"{URL}/{tid}/social-return"
    assert (await client.put(path, json=TERMS, headers=headers["buyer"])).status_code == 200
    before = (await client.get(path, headers=headers["buyer"])).json()
    bad = {k: v for k, v in {**TERMS, **change}.items() if v is not None}
    body = assert_problem(await client.put(path, json=bad, headers=headers["buyer"]), 400)
    assert [p["name"] for p in body["invalidParams"]] == names
    assert not unstyled(body), body
    assert (await client.get(path, headers=headers["buyer"])).json() == before
    async with session_maker() as session:
        assert len(list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("social_return.%"))))) == 1


async def test_valuation_models_are_listed_with_their_source(client, headers) -> None:
    listed = await client.get("/api/v1/sroi-models", headers=headers["company"])
    assert listed.status_code == 200
    ids = [m["id"] for m in listed.json()]
    assert set(ids) == {"oost-nederland-v05", "utrecht-a", "utrecht-b"}
    one = await client.get("/api/v1/sroi-models/oost-nederland-v05",
                           headers=headers["buyer"])
    assert one.status_code == 200
    model = one.json()
    assert model["validFrom"] == "2023-04-01" and "impactoost.nl" in model["source"]
    assert model["fullTimeHours"] == "36"
    assert model["blocks"][0] == {"code": "pw-kort", "label": "Participatiewet < 2 jaar",
                                  "kind": "placement", "value": "30000.00", "sharePct": None,
                                  "countsForMonths": 24}
    assert_problem(await client.get("/api/v1/sroi-models/onbekend", headers=headers["buyer"]),
                   404)
    assert_problem(await client.get("/api/v1/sroi-models"), 401)
