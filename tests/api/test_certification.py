"""From a company's draft application to a certificate that can be verified."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from pso.clock import today
from pso.db.models import Assessment
from tests.api.test_foundation import assert_problem
from tests.conftest import count_rows
from tests.factories import organization, submission

pytestmark = pytest.mark.anyio

KVK, OTHER = "12345678", "87654321"
NAME = 'Groen & "Schoon" <Hoveniers> B.V. 🌱'


@pytest.fixture
async def actors(client, make_token) -> dict[str, dict[str, str]]:
    tokens = {
        "admin": await make_token("admin"),
        "auditor": await make_token("auditor"),
        "reviewer": await make_token("auditor"),
        "company": await make_token("company", kvk=KVK),
        "other": await make_token("company", kvk=OTHER),
        "procurement": await make_token("procurement"),
    }
    for kvk, name in ((KVK, NAME), (OTHER, None)):
        response = await client.post("/api/v1/organizations", json=organization(kvk, name),
                                     headers=tokens["admin"])
        assert response.status_code == 201
    return tokens


async def draft(client, headers, staff: int = 2, kvk: str = KVK, **kw) -> dict:
    response = await client.post(f"/api/v1/organizations/{kvk}/assessments",
                                 json={"submission": submission(staff, **kw)}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def take(client, actors, aid: int) -> dict:
    """Submitted → in review, by the reviewer (another auditor than the one who decides)."""
    response = await client.post(f"/api/v1/assessments/{aid}/review", headers=actors["reviewer"])
    assert response.status_code == 200, response.text
    response = await client.post(f"/api/v1/assessments/{aid}/review-completed",
                                 headers=actors["reviewer"])
    assert response.status_code == 200, response.text
    return response.json()


async def approve(client, actors, staff: int = 2, **decision) -> dict:
    assessment = await draft(client, actors["company"], staff)
    await client.post(f"/api/v1/assessments/{assessment['id']}/submit", headers=actors["company"])
    await take(client, actors, assessment["id"])
    response = await client.post(f"/api/v1/assessments/{assessment['id']}/decision",
                                 json={"outcome": "approved", **decision},
                                 headers=actors["auditor"])
    assert response.status_code == 200, response.text
    return response.json()


async def test_whole_flow_draft_to_verified_certificate(client, actors) -> None:
    created = await draft(client, actors["company"], staff=1)
    assert created["status"] == "draft" and created["organizationKvk"] == KVK
    assert created["score"]["rung"] == "basistrede"
    assert created["submission"]["asOf"] == today().isoformat()  # pinned for reproducibility
    aid = created["id"]

    # The auditor does not see drafts.
    assert_problem(await client.get(f"/api/v1/assessments/{aid}", headers=actors["auditor"]), 404)

    replaced = await client.put(f"/api/v1/assessments/{aid}/submission", json=submission(7),
                                headers=actors["company"])
    assert replaced.status_code == 200
    assert replaced.json()["score"]["rung"] == "trede3"

    submitted = await client.post(f"/api/v1/assessments/{aid}/submit", headers=actors["company"])
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert_problem(await client.put(f"/api/v1/assessments/{aid}/submission", json=submission(1),
                                    headers=actors["company"]), 409, "invalid-state")
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/submit",
                                     headers=actors["company"]), 409, "invalid-state")
    # A decision needs the review first (issue 13).
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/decision",
                                     json={"outcome": "approved"}, headers=actors["auditor"]),
                   409, "invalid-state")
    taken = await take(client, actors, aid)
    assert taken["status"] == "in_review" and taken["reviewedBy"] == "test auditor"

    decided = await client.post(f"/api/v1/assessments/{aid}/decision",
                                json={"outcome": "approved"}, headers=actors["auditor"])
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["status"] == "approved"
    year = today().year
    assert [(c["number"], c["kind"], c["rung"]) for c in body["certificates"]] == [
        (f"PSO-{year}-000001", "ladder", "trede3"),
        (f"PSO-{year}-000002", "pso30plus", "trede3"),
    ]
    ladder = body["certificates"][0]
    start = today()
    assert ladder["validFrom"] == start.isoformat()
    expected_until = start.replace(year=start.year + 2) - timedelta(days=1) if not (
        start.month == 2 and start.day == 29) else date(start.year + 2, 2, 27)
    assert ladder["validUntil"] == expected_until.isoformat()
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/decision",
                                     json={"outcome": "rejected", "reason": "x"},
                                     headers=actors["auditor"]), 409, "invalid-state")

    public = await client.get(f"/api/v1/certificates/{ladder['number']}")
    assert public.status_code == 200
    cert = public.json()
    assert cert["status"] == "valid" and cert["organization"] == {
        "kvk": KVK, "name": NAME, "municipalityCode": "GM0363", "municipality": "Amsterdam"}
    assert cert["rulebook"] == "pso-2.1" and cert["issuer"]

    pdf = await client.get(f"/api/v1/certificates/{ladder['number']}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["etag"] == f'"{cert["pdfSha256"]}"'
    import hashlib
    assert hashlib.sha256(pdf.content).hexdigest() == cert["pdfSha256"]
    again = await client.get(f"/api/v1/certificates/{ladder['number']}/pdf",
                             headers={"If-None-Match": pdf.headers["etag"]})
    assert again.status_code == 304
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().replace("\x00", "").split())
    for expected in (ladder["number"], KVK, "Trede 3", "pso-2.1", "Groen"):
        assert expected in text, expected
    links = [a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])
             if a.get_object().get("/A", {}).get("/URI")]
    assert any(link.endswith(f"/register/{ladder['number']}") for link in links)

    # Status on other days: a tender judges validity on its deadline.
    before = (start - timedelta(days=1)).isoformat()
    after = (date.fromisoformat(ladder["validUntil"]) + timedelta(days=1)).isoformat()
    assert (await client.get(f"/api/v1/certificates/{ladder['number']}",
                             params={"on": before})).json()["status"] == "not_yet_valid"
    assert (await client.get(f"/api/v1/certificates/{ladder['number']}",
                             params={"on": ladder["validUntil"]})).json()["status"] == "valid"
    assert (await client.get(f"/api/v1/certificates/{ladder['number']}",
                             params={"on": after})).json()["status"] == "expired"


async def test_revocation_is_final_and_public(client, actors) -> None:
    number = (await approve(client, actors))["certificates"][0]["number"]
    assert_problem(await client.post(f"/api/v1/certificates/{number}/revocation",
                                     json={"reason": "fraude"}, headers=actors["company"]), 403)
    assert_problem(await client.post(f"/api/v1/certificates/{number}/revocation",
                                     json={}, headers=actors["auditor"]), 400)
    revoked = await client.post(f"/api/v1/certificates/{number}/revocation",
                                json={"reason": "Onjuiste gegevens aangeleverd"},
                                headers=actors["auditor"])
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    public = (await client.get(f"/api/v1/certificates/{number}")).json()
    assert public["status"] == "revoked"
    assert public["revocationReason"] == "Onjuiste gegevens aangeleverd"
    for method, path in (("POST", "revocation"), ("POST", "suspension"), ("DELETE", "suspension")):
        response = await client.request(method, f"/api/v1/certificates/{number}/{path}",
                                        json={"reason": "nog eens"}, headers=actors["admin"])
        assert_problem(response, 409, "certificate-revoked")


async def test_suspension_and_reinstatement(client, actors) -> None:
    number = (await approve(client, actors))["certificates"][0]["number"]
    suspended = await client.post(f"/api/v1/certificates/{number}/suspension",
                                  json={"reason": "onderzoek"}, headers=actors["auditor"])
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["suspendedSince"] == today().isoformat()
    assert_problem(await client.post(f"/api/v1/certificates/{number}/suspension",
                                     headers=actors["auditor"]), 409, "already-suspended")
    reinstated = await client.delete(f"/api/v1/certificates/{number}/suspension",
                                     headers=actors["admin"])
    assert reinstated.status_code == 200 and reinstated.json()["status"] == "valid"
    assert_problem(await client.delete(f"/api/v1/certificates/{number}/suspension",
                                       headers=actors["admin"]), 409, "not-suspended")


async def test_newer_ladder_certificate_supersedes_the_older(client, actors) -> None:
    first = (await approve(client, actors, staff=1))["certificates"][0]
    later = (today() + timedelta(days=30)).isoformat()
    second = (await approve(client, actors, staff=3, validFrom=later))["certificates"][0]
    assert second["rung"] == "trede3"
    old = await client.get(f"/api/v1/certificates/{first['number']}")
    assert old.json()["status"] == "valid"  # the newer one is not valid yet
    assert old.json()["supersededFrom"] == later
    on_later = await client.get(f"/api/v1/certificates/{first['number']}", params={"on": later})
    assert on_later.json()["status"] == "superseded"


async def test_rejection_needs_a_reason_and_issues_nothing(client, actors, session_maker) -> None:
    assessment = await draft(client, actors["company"], staff=3)
    aid = assessment["id"]
    await client.post(f"/api/v1/assessments/{aid}/submit", headers=actors["company"])
    await take(client, actors, aid)
    body = assert_problem(await client.post(f"/api/v1/assessments/{aid}/decision",
                                            json={"outcome": "rejected"},
                                            headers=actors["auditor"]), 400)
    assert body["invalidParams"]
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/decision",
                                     json={"outcome": "maybe"}, headers=actors["auditor"]), 400)
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/decision",
                                     json={"outcome": "approved"}, headers=actors["company"]), 403)
    rejected = await client.post(f"/api/v1/assessments/{aid}/decision",
                                 json={"outcome": "rejected", "reason": "Loonstroken ontbreken"},
                                 headers=actors["auditor"])
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected" and rejected.json()["certificates"] == []
    assert await count_rows(session_maker, "certificates") == 0


async def test_approval_of_none_issues_no_certificate(client, actors) -> None:
    body = await approve(client, actors, staff=0)
    assert body["score"]["rung"] == "none" and body["certificates"] == []


async def test_corrected_submission_is_rescored_and_the_original_kept(
        client, actors, session_maker) -> None:
    body = await approve(client, actors, staff=3, correctedSubmission=submission(1),
                         reason="Eén medewerker telt niet mee")
    assert body["corrected"] is True
    assert body["score"]["rung"] == "basistrede"
    assert body["submission"]["employees"] == submission(1)["employees"]
    assert [c["rung"] for c in body["certificates"]] == ["basistrede"]
    # The company's own data stays on record beside the correction.
    async with session_maker() as session:
        stored = await session.get(Assessment, body["id"])
    assert stored.original_submission["employees"] == submission(3)["employees"]
    assert stored.original_score["rung"] != body["score"]["rung"]


async def test_bad_submissions_are_400_and_store_nothing(client, actors, session_maker) -> None:
    bad = submission(2)
    bad["totalFte"] = "-1"
    bad["employees"][0]["hoursPerWeek"] = 100
    body = assert_problem(await client.post(f"/api/v1/organizations/{KVK}/assessments",
                                            json={"submission": bad},
                                            headers=actors["company"]), 400)
    names = {p["name"] for p in body["invalidParams"]}
    assert {"submission.totalFte", "submission.employees[0].hoursPerWeek"} <= names
    for payload in ({}, {"submission": "x"}, {"submission": {}, "more": 1}, []):
        assert_problem(await client.post(f"/api/v1/organizations/{KVK}/assessments",
                                         json=payload, headers=actors["company"]), 400)
    assert await count_rows(session_maker, "assessments") == 0
    assert await count_rows(session_maker, "audit_events") == 0 + 2 + 6  # orgs + users only


async def test_tenant_isolation(client, actors) -> None:
    mine = await draft(client, actors["company"])
    assert_problem(await client.post(f"/api/v1/organizations/{KVK}/assessments",
                                     json={"submission": submission(1)},
                                     headers=actors["other"]), 403)
    assert_problem(await client.get(f"/api/v1/assessments/{mine['id']}",
                                    headers=actors["other"]), 404)
    assert_problem(await client.post(f"/api/v1/assessments/{mine['id']}/submit",
                                     headers=actors["other"]), 404)
    assert_problem(await client.get(f"/api/v1/assessments/{mine['id']}",
                                    headers=actors["procurement"]), 403)
    listed = await client.get("/api/v1/assessments", headers=actors["other"])
    assert listed.json()["total"] == 0
    assert_problem(await client.post("/api/v1/organizations/99999999/assessments",
                                     json={"submission": submission(1)},
                                     headers=actors["admin"]), 404)


async def test_decision_is_idempotent(client, actors, session_maker) -> None:
    assessment = await draft(client, actors["company"], staff=3)
    aid = assessment["id"]
    await client.post(f"/api/v1/assessments/{aid}/submit", headers=actors["company"])
    await take(client, actors, aid)
    key = {"Idempotency-Key": "besluit-42", **actors["auditor"]}
    first = await client.post(f"/api/v1/assessments/{aid}/decision",
                              json={"outcome": "approved"}, headers=key)
    second = await client.post(f"/api/v1/assessments/{aid}/decision",
                               json={"outcome": "approved"}, headers=key)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert await count_rows(session_maker, "certificates") == 1
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/decision",
                                     json={"outcome": "rejected", "reason": "anders"},
                                     headers=key), 409, "idempotency-key-reused")


async def test_register_search_filters_and_pages(client, actors) -> None:
    numbers = [(await approve(client, actors, staff=s))["certificates"][0]["number"]
               for s in (1, 2)]
    other = await draft(client, actors["other"], staff=3, kvk=OTHER)
    await client.post(f"/api/v1/assessments/{other['id']}/submit", headers=actors["other"])
    await take(client, actors, other["id"])
    await client.post(f"/api/v1/assessments/{other['id']}/decision", json={"outcome": "approved"},
                      headers=actors["auditor"])
    await client.post(f"/api/v1/certificates/{numbers[0]}/revocation", json={"reason": "test"},
                      headers=actors["auditor"])

    async def search(**params) -> dict:
        response = await client.get("/api/v1/certificates", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    assert (await search())["total"] == 3
    assert {c["number"] for c in (await search(q="groen"))["items"]} == set(numbers)
    assert (await search(kvk=OTHER))["items"][0]["rung"] == "trede3"
    assert (await search(rung="trede2"))["items"][0]["number"] == numbers[1]
    assert [c["number"] for c in (await search(status="revoked"))["items"]] == [numbers[0]]
    assert (await search(status="valid"))["total"] == 2
    page1, page2 = await search(pageSize=2), await search(pageSize=2, page=2)
    assert len(page1["items"]) == 2 and len(page2["items"]) == 1
    assert not {c["number"] for c in page1["items"]} & {c["number"] for c in page2["items"]}
    assert (await search(q="100%_"))["total"] == 0
    for params in ({"rung": "trede9"}, {"status": "fine"}, {"page": "0"}, {"pageSize": "999"},
                   {"kvk": "12"}, {"q": "x" * 500}):
        assert_problem(await client.get("/api/v1/certificates", params=params), 400)


async def test_unknown_and_malformed_numbers(client) -> None:
    assert_problem(await client.get("/api/v1/certificates/PSO-2026-999999"), 404)
    assert_problem(await client.get("/api/v1/certificates/../../etc/passwd"), 404)
    assert_problem(await client.get("/api/v1/certificates/%3Cscript%3E"), 404)
    assert_problem(await client.get("/api/v1/certificates/PSO-2026-000001",
                                    params={"on": "2026-02-30"}), 400)


async def test_expiring_certificates_are_listed_for_admins(client, actors) -> None:
    # validFrom a year back: validUntil = today + 1 year - 1 day (outside 3 months, inside 13).
    start = today().replace(year=today().year - 1) if not (
        today().month == 2 and today().day == 29) else date(today().year - 1, 2, 28)
    cert = (await approve(client, actors, validFrom=start.isoformat()))["certificates"][0]
    too_early = (today() - timedelta(days=400)).isoformat()
    assert_problem(await client.post("/api/v1/assessments/1/decision",
                                     json={"outcome": "approved", "validFrom": too_early},
                                     headers=actors["auditor"]), 400)

    async def listed(months: int) -> list[str]:
        response = await client.get("/api/v1/certificates/expiring", params={"months": months},
                                    headers=actors["admin"])
        assert response.status_code == 200
        return [c["number"] for c in response.json()]

    assert await listed(3) == []
    assert await listed(13) == [cert["number"]]
    await client.post(f"/api/v1/certificates/{cert['number']}/revocation",
                      json={"reason": "gestopt"}, headers=actors["admin"])
    assert await listed(13) == []
    assert_problem(await client.get("/api/v1/certificates/expiring", headers=actors["company"]), 403)


async def test_verification_page_shows_live_status(client, actors) -> None:
    number = (await approve(client, actors))["certificates"][0]["number"]
    page = await client.get(f"/register/{number}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Geldig" in page.text and "Groen &amp; &#34;Schoon&#34; &lt;Hoveniers&gt;" in page.text
    await client.post(f"/api/v1/certificates/{number}/revocation",
                      json={"reason": "Onjuiste opgave"}, headers=actors["auditor"])
    page = await client.get(f"/register/{number}")
    assert "Ingetrokken" in page.text and "Onjuiste opgave" in page.text
    unknown = await client.get("/register/PSO-2020-000999")
    assert unknown.status_code == 404 and "Niet gevonden" in unknown.text
    css = await client.get("/static/web/site.css")
    assert css.status_code == 200
    assert (await client.get("/static/../pso/settings.py")).status_code == 404


async def test_only_auditors_take_decisions(client, actors, session_maker) -> None:
    """ISO/IEC 17065: the certification decision is the certifying body's. Admins manage
    the service but may not approve; neither may the company or a buyer."""
    assessment = await draft(client, actors["company"])
    url = f"/api/v1/assessments/{assessment['id']}"
    await client.post(f"{url}/submit", headers=actors["company"])
    await take(client, actors, assessment["id"])
    for role in ("admin", "company", "procurement"):
        for outcome in ({"outcome": "approved"}, {"outcome": "rejected", "reason": "Nee."}):
            response = await client.post(f"{url}/decision", json=outcome, headers=actors[role])
            assert_problem(response, 403, "forbidden")
    state = await client.get(url, headers=actors["admin"])
    assert state.json()["status"] == "in_review" and state.json()["certificates"] == []
    assert await count_rows(session_maker, "certificates") == 0
    approved = await client.post(f"{url}/decision", json={"outcome": "approved"},
                                 headers=actors["auditor"])
    assert approved.status_code == 200 and approved.json()["certificates"]


async def test_revocation_before_validity_wins_over_not_yet_valid(client, actors) -> None:
    """A certificate revoked before its validFrom reads `revoked` on every later day, also
    the days before it would have become valid (API, register filter and page)."""
    start = today() + timedelta(days=30)
    result = await approve(client, actors, validFrom=start.isoformat())
    number = result["certificates"][0]["number"]
    url = f"/api/v1/certificates/{number}"
    assert (await client.get(url)).json()["status"] == "not_yet_valid"
    revoked = await client.post(f"{url}/revocation", json={"reason": "Fraude vastgesteld."},
                                headers=actors["auditor"])
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    for day in (today(), start - timedelta(days=1), start, start + timedelta(days=400)):
        status = (await client.get(url, params={"on": day.isoformat()})).json()["status"]
        assert status == "revoked", (day, status)
    listed = (await client.get("/api/v1/certificates", params={"status": "revoked"})).json()
    assert [c["number"] for c in listed["items"]] == [number]
    pending = (await client.get("/api/v1/certificates", params={"status": "not_yet_valid"})).json()
    assert pending["items"] == []
    page = await client.get(f"/register/{number}")
    assert "Ingetrokken" in page.text and "Nog niet geldig" not in page.text
