"""Issue 13: certifying bodies, the review states, impartial decisions, corrections,
the sample, and PSO 30+ certificates that follow their ladder certificate."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from pso.clock import today
from pso.db.models import OutboxMail
from pso.services import accounts
from pso.services.register_facts import facts_on
from tests.api.test_foundation import assert_problem
from tests.factories import organization, submission

pytestmark = pytest.mark.anyio

KVK, OTHER = "12345678", "87654321"
BODY, SECOND = "CERT-A", "CERT-B"


@pytest.fixture
async def actors(client, make_token) -> dict[str, dict[str, str]]:
    admin = await make_token("admin")
    for code, name, separate in ((BODY, "Certificering A B.V.", True),
                                 (SECOND, "Keurmerk B", True)):
        created = await client.post("/api/v1/certifying-bodies", headers=admin, json={
            "code": code, "name": name, "accreditation": "RvA C 123", "separateDecision": separate})
        assert created.status_code == 201, created.text
    tokens = {
        "admin": admin,
        "ans": await make_token("auditor", body=BODY, name="Ans Beoordelaar"),
        "bert": await make_token("auditor", body=BODY, name="Bert Beslisser"),
        "carla": await make_token("auditor", body=SECOND, name="Carla Elders"),
        "company": await make_token("company", kvk=KVK, person=True, email="hr@groen.example.nl"),
        "other": await make_token("company", kvk=OTHER),
    }
    for kvk in (KVK, OTHER):
        response = await client.post("/api/v1/organizations", json=organization(kvk),
                                     headers=admin)
        assert response.status_code == 201
    return tokens


async def submitted(client, actors, staff: int = 7, body: str | None = BODY) -> int:
    draft = await client.post(f"/api/v1/organizations/{KVK}/assessments",
                              json={"submission": submission(staff)}, headers=actors["company"])
    assert draft.status_code == 201, draft.text
    aid = draft.json()["id"]
    sent = await client.post(f"/api/v1/assessments/{aid}/submit", headers=actors["company"],
                             json={"certifyingBody": body} if body else None)
    assert sent.status_code == 200, sent.text
    return aid


async def post(client, path: str, headers, json=None, status: int = 200) -> dict:
    response = await client.post(path, headers=headers, json=json)
    assert response.status_code == status, response.text
    return response.json()


async def test_certifying_bodies_are_parties(client, actors, make_token) -> None:
    listed = (await client.get("/api/v1/certifying-bodies")).json()
    assert [b["code"] for b in listed] == [BODY, SECOND]
    assert listed[0] == {"code": BODY, "name": "Certificering A B.V.",
                         "accreditation": "RvA C 123", "separateDecision": True}
    again = await client.post("/api/v1/certifying-bodies", headers=actors["admin"],
                              json={"code": BODY.lower(), "name": "Dubbel"})
    assert_problem(again, 409, "certifying-body-exists")
    bad = assert_problem(await client.post("/api/v1/certifying-bodies", headers=actors["admin"],
                                           json={"code": "a b", "name": "", "extra": 1}), 400)
    assert {"code", "name", "extra"} <= {p["name"] for p in bad["invalidParams"]}
    assert_problem(await client.post("/api/v1/certifying-bodies", headers=actors["ans"],
                                     json={"code": "X1", "name": "X"}), 403)
    assert_problem(await client.post("/api/v1/certifying-bodies",
                                     json={"code": "X1", "name": "X"}), 401)
    default = await post(client, "/api/v1/certifying-bodies", actors["admin"],
                         {"code": "C3", "name": "Derde"}, 201)
    assert default["separateDecision"] is True and default["accreditation"] == ""


async def test_a_body_is_changed_but_keeps_its_code(client, make_token, session_maker) -> None:
    """PATCH /api/v1/certifying-bodies/{code} (admin): only what is sent changes, the code is
    fixed, the texts follow the rules of POST (no control or bidi characters)."""
    admin = await make_token("admin")
    await post(client, "/api/v1/certifying-bodies", admin,
               {"code": BODY, "name": "Certificering A", "accreditation": "RvA C 1"}, 201)
    url = f"/api/v1/certifying-bodies/{BODY.lower()}"
    changed = await client.patch(url, headers=admin, json={"separateDecision": False})
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"code": BODY, "name": "Certificering A", "accreditation": "RvA C 1",
                              "separateDecision": False}
    renamed = (await client.patch(url, headers=admin, json={
        "name": "Certificering A B.V.", "accreditation": None})).json()
    assert renamed["name"] == "Certificering A B.V." and renamed["accreditation"] == "RvA C 1"
    for body, field in (({"code": "NIEUW"}, "code"), ({"name": ""}, "name"),
                        ({"name": "Evil\u202eVB kciR"}, "name"), ({"name": "A\nB"}, "name"),
                        ({"accreditation": "R" * 2001}, "accreditation"),
                        ({"separateDecision": "nee"}, "separateDecision")):
        bad = assert_problem(await client.patch(url, headers=admin, json=body), 400)
        assert [p["name"] for p in bad["invalidParams"]] == [field], body
    assert_problem(await client.post("/api/v1/certifying-bodies", headers=admin, json={
        "code": "C9", "name": "Evil\u202eVB kciR"}), 400)
    assert_problem(await client.patch("/api/v1/certifying-bodies/ONBEKEND", headers=admin,
                                      json={"name": "X"}), 404)
    assert_problem(await client.patch(url, json={"name": "X"}), 401)
    auditor = await make_token("auditor", body=BODY)
    assert_problem(await client.patch(url, headers=auditor, json={"name": "X"}), 403)
    [listed] = (await client.get("/api/v1/certifying-bodies")).json()
    assert listed == {"code": BODY, "name": "Certificering A B.V.", "accreditation": "RvA C 1",
                      "separateDecision": False}
    events = (await client.get("/api/v1/audit-events", headers=admin,
                               params={"entityType": "certifying_body"})).json()["items"]
    assert [e["action"] for e in events] == ["certifying_body.updated"] * 2 + [
        "certifying_body.created"]
    assert events[1]["summary"] == {"separateDecision": False}


async def test_a_body_made_for_an_account_is_listed(client, session_maker) -> None:
    # `pso users add --role auditor --party NIEUW` makes the party before its settings.
    async with session_maker() as session, session.begin():
        await accounts.ensure_party(session, "certifying_body", "NIEUW", "Nieuwe Keuring")
    listed = (await client.get("/api/v1/certifying-bodies")).json()
    assert listed == [{"code": "NIEUW", "name": "Nieuwe Keuring", "accreditation": "",
                       "separateDecision": True}]


async def test_review_question_answer_correction_and_impartial_decision(
        client, actors, session_maker) -> None:
    aid = await submitted(client, actors)
    one = (await client.get(f"/api/v1/assessments/{aid}", headers=actors["ans"])).json()
    assert one["status"] == "submitted"
    assert one["certifyingBody"] == {"code": BODY, "name": "Certificering A B.V."}

    # Another body's auditor sees nothing of it.
    assert_problem(await client.get(f"/api/v1/assessments/{aid}", headers=actors["carla"]), 404)
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/review",
                                     headers=actors["carla"]), 404)
    assert (await client.get("/api/v1/assessments", headers=actors["carla"])).json()["total"] == 0
    assert (await client.get("/api/v1/assessments", params={"status": "submitted"},
                             headers=actors["ans"])).json()["total"] == 1

    # Only from in_review: no decision, no question before an auditor takes it.
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/decision", headers=actors["bert"],
                                     json={"outcome": "approved"}), 409, "invalid-state")
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/information-request",
                                     headers=actors["ans"], json={"message": "Loonstroken?"}),
                   409, "invalid-state")
    taken = await post(client, f"/api/v1/assessments/{aid}/review", actors["ans"])
    assert taken["status"] == "in_review" and taken["reviewedBy"] == "Ans Beoordelaar"
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/review", headers=actors["bert"]),
                   409, "invalid-state")
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/information-request",
                                     headers=actors["ans"], json={"message": ""}), 400)

    asked = await post(client, f"/api/v1/assessments/{aid}/information-request", actors["ans"],
                       {"message": "Stuur de loonstroken van mw-006."})
    assert asked["status"] == "information_requested"
    assert asked["informationRequest"]["message"] == "Stuur de loonstroken van mw-006."

    # The company may edit and submit again; the body is fixed meanwhile.
    edited = await client.put(f"/api/v1/assessments/{aid}/submission", json=submission(6),
                              headers=actors["company"])
    assert edited.status_code == 200, edited.text
    assert_problem(await client.put(f"/api/v1/assessments/{aid}/certifying-body",
                                    json={"certifyingBody": SECOND}, headers=actors["company"]),
                   409, "body-fixed")
    again = await post(client, f"/api/v1/assessments/{aid}/submit", actors["company"],
                       {"response": "Mw-006 is uit dienst; aangepast."})
    assert again["status"] == "submitted"
    assert_problem(await client.put(f"/api/v1/assessments/{aid}/submission", json=submission(7),
                                    headers=actors["company"]), 409, "invalid-state")
    await post(client, f"/api/v1/assessments/{aid}/review", actors["ans"])

    # A correction by the reviewer: rescored, the original kept.
    corrected_data = submission(6)
    corrected_data["employees"][0]["hoursPerWeek"] = 20
    fixed = await post(client, f"/api/v1/assessments/{aid}/correction", actors["ans"],
                       {"submission": corrected_data, "note": "mw-000 werkt halve dagen"})
    assert fixed["corrected"] is True
    assert fixed["submission"]["employees"][0]["hoursPerWeek"] == 20
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/correction",
                                     headers=actors["ans"], json={"submission": corrected_data}),
                   409, "no-changes")
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/correction",
                                     headers=actors["ans"], json={"submission": {"totalFte": -1}}),
                   400)

    # The hand-over: no decision while the reviewer is still at work; only the reviewer
    # completes the review, after which the data are fixed.
    early = assert_problem(await client.post(
        f"/api/v1/assessments/{aid}/decision", headers=actors["bert"],
        json={"outcome": "approved"}), 409, "review-not-completed")
    assert "nog in beoordeling" in early["detail"]
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/review-completed",
                                     headers=actors["bert"]), 409, "not-reviewer")
    done = await post(client, f"/api/v1/assessments/{aid}/review-completed", actors["ans"])
    assert done["status"] == "in_review" and done["reviewCompletedAt"] is not None
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/review-completed",
                                     headers=actors["ans"]), 409, "review-completed")
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/correction",
                                     headers=actors["ans"], json={"submission": submission(5)}),
                   409, "review-completed")

    # The reviewer may not decide; a colleague of the same body does.
    refused = assert_problem(await client.post(
        f"/api/v1/assessments/{aid}/decision", headers=actors["ans"],
        json={"outcome": "approved"}), 409, "decision-by-reviewer")
    assert "andere auditor" in refused["detail"]
    decided = await post(client, f"/api/v1/assessments/{aid}/decision", actors["bert"],
                         {"outcome": "approved"})
    assert decided["status"] == "approved" and decided["decidedBy"] == "Bert Beslisser"
    assert decided["reviewedBy"] == "Ans Beoordelaar"
    cert = decided["certificates"][0]
    assert cert["issuer"] == "Certificering A B.V."
    public = (await client.get(f"/api/v1/certificates/{cert['number']}")).json()
    assert public["issuer"] == "Certificering A B.V."
    pdf = await client.get(f"/api/v1/certificates/{cert['number']}/pdf")
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Certificering A B.V." in text
    register = (await client.get("/api/v1/certificates", params={"kvk": KVK})).json()
    assert {c["issuer"] for c in register["items"]} == {"Certificering A B.V."}

    events = (await client.get("/api/v1/audit-events", headers=actors["admin"],
                               params={"entityType": "assessment", "entityId": str(aid),
                                       "pageSize": 50})).json()["items"]
    by_action = {e["action"]: e for e in events}
    assert by_action["assessment.review_started"]["actorName"] == "Ans Beoordelaar"
    assert by_action["assessment.review_completed"]["actorName"] == "Ans Beoordelaar"
    assert by_action["assessment.corrected"]["summary"]["changes"] == [
        {"field": "employees[mw-000].hoursPerWeek", "label": "mw-000: uren per week",
         "before": "40", "after": "20"}]
    approved = by_action["assessment.approved"]
    assert approved["actorName"] == "Bert Beslisser"
    assert approved["summary"]["reviewer"] == "Ans Beoordelaar"
    assert by_action["assessment.resubmitted"]["summary"]["response"].startswith("Mw-006")

    # A mail to the company at each step.
    async with session_maker() as session:
        subjects = [m.subject for m in await session.scalars(
            select(OutboxMail).where(OutboxMail.to_address == "hr@groen.example.nl")
            .order_by(OutboxMail.id))]
    assert len(subjects) == 6, subjects
    assert "ontvangen" in subjects[0] and "in behandeling" in subjects[1]
    assert "Vraag van de auditor" in subjects[2] and "weer ingediend" in subjects[3]
    assert "in behandeling" in subjects[4] and "goedgekeurd" in subjects[5]


async def test_a_body_without_separate_decision_lets_the_reviewer_decide(
        client, actors, make_token) -> None:
    await post(client, "/api/v1/certifying-bodies", actors["admin"],
               {"code": "SOLO", "name": "Eenmanszaak", "separateDecision": False}, 201)
    solo = await make_token("auditor", body="SOLO", name="Sam Solo")
    aid = await submitted(client, actors, staff=2, body="SOLO")
    await post(client, f"/api/v1/assessments/{aid}/review", solo)
    await post(client, f"/api/v1/assessments/{aid}/review-completed", solo)
    decided = await post(client, f"/api/v1/assessments/{aid}/decision", solo,
                         {"outcome": "rejected", "reason": "Geen loonstroken"})
    assert decided["status"] == "rejected" and decided["decidedBy"] == "Sam Solo"


async def test_unaddressed_application_is_addressed_by_the_review(client, actors) -> None:
    aid = await submitted(client, actors, staff=2, body=None)
    for who in ("ans", "carla"):  # every body sees an application addressed to none
        assert (await client.get(f"/api/v1/assessments/{aid}", headers=actors[who])).status_code == 200
    taken = await post(client, f"/api/v1/assessments/{aid}/review", actors["carla"])
    assert taken["certifyingBody"]["code"] == SECOND
    assert_problem(await client.get(f"/api/v1/assessments/{aid}", headers=actors["ans"]), 404)


async def test_choosing_a_body(client, actors) -> None:
    draft = await client.post(f"/api/v1/organizations/{KVK}/assessments", headers=actors["company"],
                              json={"submission": submission(1), "certifyingBody": SECOND})
    assert draft.status_code == 201 and draft.json()["certifyingBody"]["code"] == SECOND
    aid = draft.json()["id"]
    chosen = await client.put(f"/api/v1/assessments/{aid}/certifying-body",
                              json={"certifyingBody": BODY}, headers=actors["company"])
    assert chosen.json()["certifyingBody"]["code"] == BODY
    bad = assert_problem(await client.put(f"/api/v1/assessments/{aid}/certifying-body",
                                          json={"certifyingBody": "NOPE"},
                                          headers=actors["company"]), 400)
    assert bad["invalidParams"][0]["name"] == "certifyingBody"
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/submit",
                                     json={"certifyingBody": "<x>"},
                                     headers=actors["company"]), 400)
    assert_problem(await client.put(f"/api/v1/assessments/{aid}/certifying-body",
                                    json={"certifyingBody": BODY}, headers=actors["other"]), 404)


async def test_sample_is_reproducible_and_for_auditors_only(client, actors) -> None:
    aid = await submitted(client, actors, staff=12)
    first = (await client.get(f"/api/v1/assessments/{aid}/sample", params={"size": 4},
                              headers=actors["ans"])).json()
    second = (await client.get(f"/api/v1/assessments/{aid}/sample", params={"size": 4},
                               headers=actors["bert"])).json()
    assert first == second and first["size"] == 4 and first["population"] == 12
    refs = [e["reference"] for e in first["employees"]]
    assert len(set(refs)) == 4 and all(r.startswith("mw-") for r in refs)
    everyone = (await client.get(f"/api/v1/assessments/{aid}/sample", params={"size": 50},
                                 headers=actors["ans"])).json()
    assert everyone["size"] == 12
    assert_problem(await client.get(f"/api/v1/assessments/{aid}/sample",
                                    headers=actors["company"]), 403)
    assert_problem(await client.get(f"/api/v1/assessments/{aid}/sample",
                                    headers=actors["carla"]), 404)
    assert_problem(await client.get(f"/api/v1/assessments/{aid}/sample", params={"size": 0},
                                    headers=actors["ans"]), 400)


async def approved_with_30plus(client, actors) -> tuple[str, str]:
    aid = await submitted(client, actors, staff=7)
    await post(client, f"/api/v1/assessments/{aid}/review", actors["ans"])
    await post(client, f"/api/v1/assessments/{aid}/review-completed", actors["ans"])
    body = await post(client, f"/api/v1/assessments/{aid}/decision", actors["bert"],
                      {"outcome": "approved"})
    ladder, plus = body["certificates"]
    assert (ladder["kind"], plus["kind"]) == ("ladder", "pso30plus")
    return ladder["number"], plus["number"]


async def status(client, number: str, **params) -> str:
    return (await client.get(f"/api/v1/certificates/{number}", params=params)).json()["status"]


async def tender_advantage(client, number: str) -> dict:
    response = await client.post("/api/v1/tender-evaluations", json={
        "deadline": today().isoformat(),
        "policy": {"mode": "percentage", "values": {"trede3": "5", "pso30plus": "10"}},
        "bids": [{"bidder": "Groen", "kvk": KVK, "price": "1000.00", "certificateNumber": number}]})
    assert response.status_code == 200, response.text
    return response.json()["ranking"][0]


async def test_pso30plus_follows_a_suspended_ladder_certificate(
        client, actors, session_maker) -> None:
    ladder, plus = await approved_with_30plus(client, actors)
    assert (await tender_advantage(client, ladder))["advantage"] == "100.00"

    await post(client, f"/api/v1/certificates/{ladder}/suspension", actors["ans"],
               {"reason": "Onderzoek naar de opgave"})
    assert await status(client, plus) == "suspended"
    page = await client.get(f"/register/{plus}")
    assert "Geschorst" in page.text and "Geldig<" not in page.text
    register = (await client.get("/api/v1/certificates", params={"status": "suspended"})).json()
    assert {c["number"] for c in register["items"]} == {ladder, plus}
    async with session_maker() as session:
        facts = await facts_on(session, today(), [ladder, plus], [KVK])
    assert facts[plus].status == facts[ladder].status == "suspended"
    bid = await tender_advantage(client, ladder)
    assert bid["advantage"] == "0.00" and bid["pso30Plus"] is False

    # The 30+ certificate cannot be reinstated on its own; the ladder's reinstatement lifts both.
    assert_problem(await client.delete(f"/api/v1/certificates/{plus}/suspension",
                                       headers=actors["ans"]), 409, "ladder-suspended")
    reinstated = await client.delete(f"/api/v1/certificates/{ladder}/suspension",
                                     headers=actors["bert"])
    assert reinstated.status_code == 200
    assert await status(client, plus) == "valid"
    assert (await tender_advantage(client, ladder))["advantage"] == "100.00"


async def test_pso30plus_follows_revocation_and_supersession(client, actors) -> None:
    ladder, plus = await approved_with_30plus(client, actors)
    await post(client, f"/api/v1/certificates/{ladder}/revocation", actors["ans"],
               {"reason": "Onjuiste opgave"})
    revoked = (await client.get(f"/api/v1/certificates/{plus}")).json()
    assert revoked["status"] == "revoked" and ladder in revoked["revocationReason"]

    ladder2, plus2 = await approved_with_30plus(client, actors)
    later = (today() + timedelta(days=10)).isoformat()
    aid = await submitted(client, actors, staff=2)  # trede2 only: no new 30+ certificate
    await post(client, f"/api/v1/assessments/{aid}/review", actors["ans"])
    await post(client, f"/api/v1/assessments/{aid}/review-completed", actors["ans"])
    body = await post(client, f"/api/v1/assessments/{aid}/decision", actors["bert"],
                      {"outcome": "approved", "validFrom": later})
    assert [c["kind"] for c in body["certificates"]] == ["ladder"]
    assert await status(client, ladder2, on=later) == "superseded"
    assert await status(client, plus2, on=later) == "superseded"
    assert await status(client, plus2) == "valid"


async def test_bad_input_on_the_review_endpoints(client, actors) -> None:
    aid = await submitted(client, actors, staff=1)
    taken = await client.post(f"/api/v1/assessments/{aid}/review", headers=actors["ans"])
    assert taken.status_code == 200, taken.text  # a review takes no body
    before = (await client.get(f"/api/v1/assessments/{aid}", headers=actors["ans"])).json()
    for path, body in (("information-request", {"message": "x" * 5001}),
                       ("information-request", {"message": ""}),
                       ("information-request", None),
                       ("correction", {"submission": "x"}), ("correction", {}),
                       ("decision", {"outcome": "?"}), ("decision", {})):
        response = await client.post(f"/api/v1/assessments/{aid}/{path}", json=body,
                                     headers=actors["ans"])
        assert_problem(response, 400)
    after = (await client.get(f"/api/v1/assessments/{aid}", headers=actors["ans"])).json()
    assert after == before  # nothing stored from a refused body
    for path in ("review", "information-request", "correction", "decision"):
        assert_problem(await client.post(f"/api/v1/assessments/{aid}/{path}", json={},
                                         headers=actors["company"]), 403)
        good = {"review": None, "information-request": {"message": "vraag"},
                "correction": {"submission": submission(1)},
                "decision": {"outcome": "approved"}}[path]
        assert_problem(await client.post(f"/api/v1/assessments/999999/{path}", json=good,
                                         headers=actors["ans"]), 404)
    assert_problem(await client.get("/api/v1/assessments", params={"status": "waiting"},
                                    headers=actors["ans"]), 400)
