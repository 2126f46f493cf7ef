"""Realisation lines (SPEC §8.2, §8.3): the contractor reports, the buyer reviews; values are
the engine's under the agreed model; only accepted lines count; roles, bad input, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pso.db.models import AuditEvent
from tests.api.test_foundation import assert_problem
from tests.api.test_social_return_terms import DECLARED, awarded_tender, headers  # noqa: F401
from tests.conftest import count_rows
from tests.wording import unstyled

pytestmark = pytest.mark.anyio

TERMS = {"contractSum": "250000", "ratePct": "5", "reductions": {"trede2": "50"},
         "modelId": "oost-nederland-v05", "periodStart": "2027-01-01",
         "periodEnd": "2028-12-31", "settlement": {"rule": "penalty"}}
PLACEMENT = {"kind": "placement", "block": "pw-kort", "pseudonym": "K-17",
             "start": "2027-01-01", "end": "2027-03-31", "hoursPerWeek": "24"}


@pytest.fixture
async def contract(client, headers, make_token):  # noqa: F811
    tid = await awarded_tender(client, headers, DECLARED)
    put = await client.put(f"/api/v1/tenders/{tid}/social-return", json=TERMS,
                           headers=headers["buyer"])
    assert put.status_code == 200, put.text
    headers["contractor"] = await make_token("company", kvk=DECLARED["kvk"])
    return f"/api/v1/tenders/{tid}/social-return/lines"


async def test_contractor_reports_buyer_reviews_only_accepted_counts(
    client, headers, contract, session_maker  # noqa: F811
) -> None:
    reported = await client.post(contract, json=PLACEMENT, headers=headers["contractor"])
    assert reported.status_code == 201, reported.text
    line = reported.json()
    # 30.000 × 24/36 × 90/365 = 4.931,506849 → 4.931,51
    assert (line["status"], line["value"], line["countedDays"], line["blockLabel"]) == (
        "submitted", "4931.51", 90, "Participatiewet < 2 jaar")
    purchase = {"kind": "activity", "block": "pw-kort", "description": "Gastles",
                "hours": "2"}
    refused = await client.post(contract, json=purchase, headers=headers["contractor"])
    assert_problem(refused, 400)  # pw-kort is a placement block
    apprentice = {"kind": "apprenticeship", "block": "bbl-1-2", "pseudonym": "L-3",
                  "start": "2027-09-01", "end": "2027-12-31"}
    second = await client.post(contract, json=apprentice, headers=headers["contractor"])
    assert second.status_code == 201 and second.json()["value"] == "6684.93"  # 20.000×122/365

    listed = (await client.get(contract, headers=headers["buyer"])).json()
    assert (listed["accepted"], listed["submitted"], listed["remainingObligation"]) == (
        "0.00", "11616.44", "6250.00")
    first, other = line["id"], second.json()["id"]
    accepted = await client.post(f"{contract}/{first}/review", json={"decision": "accepted"},
                                 headers=headers["buyer"])
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    no_reason = await client.post(f"{contract}/{other}/review", json={"decision": "rejected"},
                                  headers=headers["buyer"])
    assert not unstyled(assert_problem(no_reason, 400))
    rejected = await client.post(f"{contract}/{other}/review", headers=headers["buyer"],
                                 json={"decision": "rejected", "reason": "Geen leerovereenkomst."})
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reason"] == "Geen leerovereenkomst."
    again = await client.post(f"{contract}/{first}/review", json={"decision": "rejected",
                              "reason": "Toch niet."}, headers=headers["buyer"])
    assert_problem(again, 409, "line-reviewed")
    terms = (await client.get(contract.removesuffix("/lines"), headers=headers["contractor"]))
    assert terms.status_code == 200, terms.text
    assert (terms.json()["accepted"], terms.json()["awaitingReview"]) == ("4931.51", "0.00")
    seen = (await client.get(contract, headers=headers["contractor"])).json()
    assert (seen["accepted"], seen["submitted"], seen["rejected"]) == (
        "4931.51", "0.00", "6684.93")
    async with session_maker() as session:
        actions = list(await session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("social_return.line%")).order_by(AuditEvent.id)))
    assert actions == ["social_return.line_reported", "social_return.line_reported",
                       "social_return.line_accepted", "social_return.line_rejected"]


async def test_a_persons_lines_share_the_two_year_window(client, headers, contract) -> None:  # noqa: F811
    for start, end in (("2027-01-01", "2027-12-31"), ("2028-01-01", "2028-12-31")):
        body = {**PLACEMENT, "start": start, "end": end, "hoursPerWeek": "36"}
        assert (await client.post(contract, json=body,
                                  headers=headers["contractor"])).status_code == 201
    later = {**PLACEMENT, "block": "ww-kort", "start": "2027-07-01", "end": "2028-12-31",
             "hoursPerWeek": "36", "pseudonym": "W-2"}
    assert (await client.post(contract, json=later, headers=headers["contractor"])).json()[
        "value"] == "10027.40"  # WW < 1 jaar: one year counts, 1 July–30 June: 366 days
    values = [i["value"] for i in (await client.get(contract, headers=headers["buyer"])).json()[
        "items"]]
    assert values[:2] == ["30000.00", "30082.19"]  # 2028 has 366 days, within the window


@pytest.mark.parametrize(("change", "names"), [
    ({"pseudonym": "Jan Jansen"}, ["pseudonym"]),
    ({"pseudonym": "123456782"}, ["pseudonym"]),
    ({"pseudonym": None}, ["pseudonym"]),
    ({"block": "onbekend"}, ["block"]),
    ({"end": "2026-12-01"}, ["end"]),
    ({"start": "2030-01-01", "end": "2030-02-01"}, ["start"]),
    ({"hoursPerWeek": "81"}, ["hoursPerWeek"]),
    ({"bonuses": ["vast"]}, ["bonuses"]),
    ({"amount": "10"}, ["amount"]),
    ({"kind": "purchase"}, ["supplierName", "invoiceNumber", "invoiceDate", "amount",
                            "pseudonym", "start", "end", "hoursPerWeek"]),
])
async def test_bad_lines_are_a_dutch_400_and_store_nothing(
    client, headers, contract, session_maker, change, names  # noqa: F811
) -> None:
    body = {k: v for k, v in {**PLACEMENT, **change}.items() if v is not None}
    problem = assert_problem(await client.post(contract, json=body,
                                               headers=headers["contractor"]), 400)
    assert sorted(p["name"] for p in problem["invalidParams"]) == sorted(names)
    assert not unstyled(problem), problem
    assert await count_rows(session_maker, "social_return_lines") == 0


async def test_roles(client, headers, contract, make_token, session_maker) -> None:  # noqa: F811
    assert_problem(await client.post(contract, json=PLACEMENT, headers=headers["buyer"]), 409,
                   "not-the-contractor")
    stranger = await make_token("company", kvk="10000001")
    assert_problem(await client.post(contract, json=PLACEMENT, headers=stranger), 404)
    assert_problem(await client.get(contract, headers=stranger), 404)
    assert_problem(await client.get(contract, headers=headers["other_buyer"]), 404)
    line = (await client.post(contract, json=PLACEMENT, headers=headers["contractor"])).json()
    assert_problem(await client.post(f"{contract}/{line['id']}/review",
                                     json={"decision": "accepted"},
                                     headers=headers["contractor"]), 409, "not-the-buyer")
    assert_problem(await client.post(f"{contract}/{line['id']}/review",
                                     json={"decision": "accepted"},
                                     headers=headers["other_buyer"]), 404)
    assert await count_rows(session_maker, "social_return_lines") == 1
