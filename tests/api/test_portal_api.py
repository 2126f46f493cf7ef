"""The company portal in the JSON API: subsidiaries on organisations, certificates that name
them, register and tender look-ups by any of their KvK numbers; quality motivations, the
certifying body, the definitive application, the scenario, the provisional PDF and
re-certification; bad input everywhere."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from pso.auth import SYSTEM
from pso.clock import today
from pso.services import bodies
from tests.api.test_foundation import assert_problem
from tests.factories import organization, submission

pytestmark = pytest.mark.anyio

KVK, SUB1, SUB2, OTHER = "12345678", "23456789", "34567890", "87654321"
CRITERIA = ("suitableWork", "integration", "development", "guidance")


@pytest.fixture
async def tokens(client, make_token) -> dict[str, dict[str, str]]:
    return {"admin": await make_token("admin"), "auditor": await make_token("auditor"),
            "reviewer": await make_token("auditor"),
            "company": await make_token("company", kvk=KVK),
            "other": await make_token("company", kvk=OTHER)}


async def create_org(client, tokens, subsidiaries=((SUB1, "Dochter Een BV"),)) -> dict:
    body = {**organization(KVK, "Moeder Holding BV"),
            "subsidiaries": [{"kvk": k, "name": n} for k, n in subsidiaries]}
    response = await client.post("/api/v1/organizations", json=body, headers=tokens["company"])
    assert response.status_code == 201, response.text
    return response.json()


async def approved(client, tokens, staff: int = 2) -> dict:
    draft = await client.post(f"/api/v1/organizations/{KVK}/assessments",
                              json={"submission": submission(staff)}, headers=tokens["company"])
    aid = draft.json()["id"]
    await client.post(f"/api/v1/assessments/{aid}/submit", headers=tokens["company"])
    await client.post(f"/api/v1/assessments/{aid}/review", headers=tokens["reviewer"])
    await client.post(f"/api/v1/assessments/{aid}/review-completed", headers=tokens["reviewer"])
    decided = await client.post(f"/api/v1/assessments/{aid}/decision",
                                json={"outcome": "approved"}, headers=tokens["auditor"])
    assert decided.status_code == 200, decided.text
    return decided.json()


async def test_subsidiaries_on_create_and_update(client, tokens) -> None:
    created = await create_org(client, tokens)
    assert created["subsidiaries"] == [{"kvk": SUB1, "name": "Dochter Een BV"}]
    body = {"name": "Moeder Holding BV", "municipalityCode": "GM0363", "kind": "company",
            "subsidiaries": [{"kvk": SUB2, "name": "Dochter Twee BV"},
                             {"kvk": SUB1, "name": "Dochter Een (nieuwe naam) BV"}]}
    updated = await client.put(f"/api/v1/organizations/{KVK}", json=body,
                               headers=tokens["company"])
    assert updated.status_code == 200, updated.text
    assert [s["kvk"] for s in updated.json()["subsidiaries"]] == [SUB1, SUB2]  # by KvK
    read = await client.get(f"/api/v1/organizations/{KVK}", headers=tokens["company"])
    assert read.json()["subsidiaries"][0]["name"] == "Dochter Een (nieuwe naam) BV"
    # Empty list: no subsidiaries any more.
    cleared = await client.put(f"/api/v1/organizations/{KVK}",
                               json={**body, "subsidiaries": []}, headers=tokens["company"])
    assert cleared.json()["subsidiaries"] == []


async def test_subsidiary_bad_input_and_conflicts(client, tokens, make_token) -> None:
    await create_org(client, tokens)
    base = {"name": "Moeder", "municipalityCode": "GM0363", "kind": "company"}
    bad = assert_problem(await client.put(f"/api/v1/organizations/{KVK}", json={
        **base, "subsidiaries": [{"kvk": "123", "name": ""}, {"kvk": KVK, "name": "Zelf"},
                                 {"kvk": SUB2, "name": "A"}, {"kvk": SUB2, "name": "B"}]},
        headers=tokens["company"]), 400)
    names = {p["name"] for p in bad["invalidParams"]}
    assert {"subsidiaries[0].kvk", "subsidiaries[0].name"} <= names
    self_and_twice = assert_problem(await client.put(f"/api/v1/organizations/{KVK}", json={
        **base, "subsidiaries": [{"kvk": KVK, "name": "Zelf"}, {"kvk": SUB2, "name": "A"},
                                 {"kvk": SUB2, "name": "B"}]}, headers=tokens["company"]), 400)
    assert {p["name"] for p in self_and_twice["invalidParams"]} == {
        "subsidiaries[0].kvk", "subsidiaries[2].kvk"}
    # Another applying organisation cannot claim the same subsidiary, nor a registered one.
    other = {**organization(OTHER), "subsidiaries": [{"kvk": SUB1, "name": "Dochter Een"}]}
    assert_problem(await client.post("/api/v1/organizations", json=other,
                                     headers=tokens["other"]), 409, "subsidiary-taken")
    assert_problem(await client.post("/api/v1/organizations", json={
        **organization(OTHER), "subsidiaries": [{"kvk": KVK, "name": "Moeder"}]},
        headers=tokens["other"]), 409, "subsidiary-taken")
    # A subsidiary's owner is not locked out: it registers under its own KvK (issue 20.5,
    # tests/api/test_subsidiary_claims.py).
    sub_token = await make_token("company", kvk=SUB1)
    assert (await client.post("/api/v1/organizations", json=organization(SUB1),
                              headers=sub_token)).status_code == 201
    # Someone else's organisation, unknown fields, no token.
    assert_problem(await client.put(f"/api/v1/organizations/{KVK}", json=base,
                                    headers=tokens["other"]), 403)
    assert_problem(await client.put(f"/api/v1/organizations/{KVK}", json={**base, "x": 1},
                                    headers=tokens["company"]), 400)
    assert_problem(await client.put(f"/api/v1/organizations/{KVK}", json=base), 401)
    assert_problem(await client.put("/api/v1/organizations/99999999", json=base,
                                    headers=tokens["admin"]), 404)


async def test_certificate_names_subsidiaries_and_is_found_by_their_kvk(client, tokens) -> None:
    await create_org(client, tokens, ((SUB1, "Dochter Een BV"), (SUB2, "Dochter Twee BV")))
    decided = await approved(client, tokens)
    number = decided["certificates"][0]["number"]
    cert = (await client.get(f"/api/v1/certificates/{number}")).json()
    assert cert["organization"]["kvk"] == KVK
    assert cert["organization"]["name"] == "Moeder Holding BV"
    assert cert["subsidiaries"] == [{"kvk": SUB1, "name": "Dochter Een BV"},
                                    {"kvk": SUB2, "name": "Dochter Twee BV"}]
    pdf = await client.get(f"/api/v1/certificates/{number}/pdf")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    assert "Moeder Holding BV" in text and "Dochter Twee BV" in text and SUB2 in text
    for kvk in (KVK, SUB1, SUB2):
        found = (await client.get("/api/v1/certificates", params={"kvk": kvk})).json()
        assert [c["number"] for c in found["items"]] == [number], kvk
        by_q = (await client.get("/api/v1/certificates", params={"q": kvk})).json()
        assert [c["number"] for c in by_q["items"]] == [number], kvk
    assert (await client.get("/api/v1/certificates", params={"kvk": OTHER})).json()["total"] == 0
    # Tender look-ups accept the subsidiary's KvK with the main applicant's certificate.
    evaluation = await client.post("/api/v1/tender-evaluations", json={
        "deadline": today().isoformat(),
        "policy": {"mode": "percentage", "values": {"trede2": "5"}},
        "bids": [{"bidder": "Dochter Twee", "kvk": SUB2, "price": "1000.00",
                  "certificateNumber": number},
                 {"bidder": "Vreemde", "kvk": OTHER, "price": "1000.00",
                  "certificateNumber": number}]})
    assert evaluation.status_code == 200, evaluation.text
    ranking = {r["kvk"]: r for r in evaluation.json()["ranking"]}
    assert ranking[SUB2]["rung"] == "trede2" and ranking[SUB2]["advantage"] == "50.00"
    assert ranking[OTHER]["rung"] == "none"
    sroi = await client.post("/api/v1/sroi-calculations", json={
        "contractValue": "100000.00", "ratePct": "5", "reductions": {"trede2": "100"},
        "kvk": SUB1, "certificateNumber": number, "tenderDate": today().isoformat(),
        "contractEnd": today().isoformat()})
    assert sroi.status_code == 200 and sroi.json()["rung"] == "trede2"


async def test_wizard_steps_through_the_api(client, tokens, session_maker, make_token) -> None:
    await create_org(client, tokens)
    async with session_maker() as session, session.begin():
        await bodies.create(session, SYSTEM, code="KIWA", name="Kiwa Nederland",
                            accreditation="Geaccrediteerd door de RvA (test)")
    await make_token("auditor", body="KIWA")  # a body is offered once it has an auditor
    draft = (await client.post(f"/api/v1/organizations/{KVK}/assessments",
                               json={"submission": submission(1)},
                               headers=tokens["company"])).json()
    aid = draft["id"]
    assert draft["wizardStep"] == 1 and draft["motivations"] == {}
    assert draft["certifyingBody"] is None
    listed = await client.get("/api/v1/certifying-bodies", headers=tokens["company"])
    assert [(b["code"], b["name"]) for b in listed.json()] == [("KIWA", "Kiwa Nederland")]

    # Scenario: three full-time hires, nothing stored.
    what_if = await client.post(f"/api/v1/assessments/{aid}/scenario", json={
        "hires": [{"count": 3, "hoursPerWeek": "40"}]}, headers=tokens["company"])
    assert what_if.status_code == 200, what_if.text
    assert what_if.json()["sizeFte"] == 23 and what_if.json()["rung"] == "trede3"
    again = (await client.get(f"/api/v1/assessments/{aid}", headers=tokens["company"])).json()
    assert again["submission"] == draft["submission"] and again["score"]["rung"] == "basistrede"
    bad = assert_problem(await client.post(f"/api/v1/assessments/{aid}/scenario", json={
        "hires": [{"count": 0, "hoursPerWeek": "x"}], "purchases": [{"invoiceAmount": "-1"}]},
        headers=tokens["company"]), 400)
    assert any(p["name"].startswith("hires[0]") for p in bad["invalidParams"])
    bad_purchase = assert_problem(await client.post(f"/api/v1/assessments/{aid}/scenario", json={
        "purchases": [{"supplierName": "X", "invoiceAmount": "-1"}]},
        headers=tokens["company"]), 400)
    assert all(p["name"].startswith("purchases[0]") for p in bad_purchase["invalidParams"])

    # Step 5: motivations are required for criteria met.
    criteria = {k: {"met": True, "motivation": ""} for k in CRITERIA}
    missing = assert_problem(await client.put(f"/api/v1/assessments/{aid}/quality",
                                              json=criteria, headers=tokens["company"]), 400)
    assert {p["name"] for p in missing["invalidParams"]} == {f"motivations.{k}" for k in CRITERIA}
    assert all("suitableWork" not in p["reason"] for p in missing["invalidParams"])
    criteria = {k: {"met": k != "guidance", "motivation": f"Zo doen wij {k}."} for k in CRITERIA}
    quality = await client.put(f"/api/v1/assessments/{aid}/quality", json=criteria,
                               headers=tokens["company"])
    assert quality.status_code == 200, quality.text
    body = quality.json()
    assert body["submission"]["quality"]["guidance"] is False
    assert body["score"]["rung"] == "none" and body["motivations"]["integration"]
    assert body["wizardStep"] == 6

    # Step 7 needs the body first; step 6 refuses unknown bodies.
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/definitive-application",
                                     headers=tokens["company"]), 409, "certifying-body-missing")
    assert_problem(await client.put(f"/api/v1/assessments/{aid}/certifying-body",
                                    json={"certifyingBody": "NOPE"}, headers=tokens["company"]), 400)
    chosen = await client.put(f"/api/v1/assessments/{aid}/certifying-body",
                              json={"certifyingBody": "KIWA"}, headers=tokens["company"])
    assert chosen.json()["certifyingBody"] == {"code": "KIWA", "name": "Kiwa Nederland"}
    # Another company sees nothing of it.
    assert_problem(await client.put(f"/api/v1/assessments/{aid}/certifying-body",
                                    json={"certifyingBody": "KIWA"}, headers=tokens["other"]), 404)
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/scenario", json={},
                                     headers=tokens["other"]), 404)
    pdf = await client.get(f"/api/v1/assessments/{aid}/provisional-pdf",
                           headers=tokens["company"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Voorlopige uitkomst" in text and "Dochter Een BV" in text and "mw-000" in text
    submitted = await client.post(f"/api/v1/assessments/{aid}/definitive-application",
                                  headers=tokens["company"])
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert_problem(await client.put(f"/api/v1/assessments/{aid}/quality", json=criteria,
                                    headers=tokens["company"]), 409, "invalid-state")


async def test_recertification_through_the_api(client, tokens) -> None:
    await create_org(client, tokens)
    assert_problem(await client.post(f"/api/v1/organizations/{KVK}/recertification",
                                     headers=tokens["company"]), 409, "nothing-to-copy")
    first = await approved(client, tokens)
    copy = await client.post(f"/api/v1/organizations/{KVK}/recertification",
                             headers=tokens["company"])
    assert copy.status_code == 201, copy.text
    body = copy.json()
    assert body["status"] == "draft" and body["copiedFromId"] == first["id"]
    assert body["submission"]["period"] == {"start": "2026-01-01", "end": "2026-12-31"}
    assert body["submission"]["employees"] == first["submission"]["employees"]
    assert_problem(await client.post(f"/api/v1/organizations/{KVK}/recertification",
                                     headers=tokens["company"]), 409, "application-open")
    assert_problem(await client.post(f"/api/v1/organizations/{KVK}/recertification",
                                     headers=tokens["other"]), 403)
    assert_problem(await client.post("/api/v1/organizations/1234/recertification",
                                     headers=tokens["company"]), 400)


async def test_openapi_documents_the_portal(client) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    paths = spec["paths"]
    for path in ("/organizations/{kvk}/recertification",  # relative to the server /api/v1
                 "/assessments/{assessment_id}/quality",
                 "/assessments/{assessment_id}/definitive-application",
                 "/assessments/{assessment_id}/scenario",
                 "/assessments/{assessment_id}/provisional-pdf"):
        assert path in paths, path
    assert "put" in paths["/organizations/{kvk}"]
