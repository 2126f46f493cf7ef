"""Issue 20.5: a KvK registered by another organisation (which may hold its own
certificate) cannot be claimed as a subsidiary without its consent, recorded by an admin's
audited decision; and a KvK claimed first does not lock its real owner out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pso.db.models import AuditEvent
from tests.api.test_foundation import assert_problem
from tests.api.test_portal_api import KVK, OTHER, SUB1, create_org, tokens  # noqa: F401
from tests.factories import organization, submission
from tests.wording import is_sentence

pytestmark = pytest.mark.anyio
BASE = {"name": "Andere Holding BV", "municipalityCode": "GM0363", "kind": "company"}


async def test_a_registered_kvk_needs_consent_through_the_admin(
        client, tokens, session_maker) -> None:  # noqa: F811
    await create_org(client, tokens)  # KVK registered, with SUB1 as its subsidiary
    assert (await client.post("/api/v1/organizations", json=organization(OTHER),
                              headers=tokens["other"])).status_code == 201
    claim = {**BASE, "subsidiaries": [{"kvk": KVK, "name": "Moeder Holding BV"}]}
    problem = assert_problem(await client.put(f"/api/v1/organizations/{OTHER}", json=claim,
                                              headers=tokens["other"]), 409, "subsidiary-taken")
    assert problem["detail"] == (
        "KvK-nummer 12345678 is een eigen geregistreerde organisatie en kan alleen met haar "
        "instemming dochteronderneming worden; vraag de beheerder van de PSO-dienst om die "
        "instemming vast te leggen en de koppeling te maken.")
    assert is_sentence(problem["detail"])
    mine = await client.get(f"/api/v1/organizations/{KVK}", headers=tokens["company"])
    assert mine.json()["subsidiaries"] == [{"kvk": SUB1, "name": "Dochter Een BV"}]

    # The admin's decision, with its reason; only an admin may take it.
    url = f"/api/v1/organizations/{OTHER}/subsidiaries"
    decision = {"kvk": KVK, "name": "Moeder Holding BV",
                "reason": "Schriftelijke instemming van Moeder Holding BV van 1 december."}
    assert_problem(await client.post(url, json=decision, headers=tokens["other"]), 403)
    assert_problem(await client.post(url, json={**decision, "kvk": SUB1},
                                     headers=tokens["admin"]), 409, "subsidiary-taken")
    assert_problem(await client.post(url, json={**decision, "reason": ""},
                                     headers=tokens["admin"]), 400)
    assigned = await client.post(url, json=decision, headers=tokens["admin"])
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["subsidiaries"] == [{"kvk": KVK, "name": "Moeder Holding BV"}]
    async with session_maker() as session:
        event = await session.scalar(select(AuditEvent).where(
            AuditEvent.action == "organization.subsidiary_assigned"))
    assert event is not None and event.entity_id == OTHER
    assert event.summary["reason"].startswith("Schriftelijke instemming")
    assert event.summary["registeredOrganization"] is True
    # Once decided, the organisation keeps it when it saves its list again.
    kept = await client.put(f"/api/v1/organizations/{OTHER}", json=claim, headers=tokens["other"])
    assert kept.status_code == 200, kept.text


async def test_a_claimed_kvk_does_not_lock_out_its_owner(client, tokens, make_token) -> None:  # noqa: F811
    await create_org(client, tokens)  # SUB1 claimed by KVK before its owner registered
    owner = await make_token("company", kvk=SUB1)
    registered = await client.post("/api/v1/organizations", json=organization(SUB1),
                                   headers=owner)
    assert registered.status_code == 201, registered.text
    assert (await client.get(f"/api/v1/organizations/{SUB1}",
                             headers=owner)).json()["kvk"] == SUB1
    draft = await client.post(f"/api/v1/organizations/{SUB1}/assessments",
                              json={"submission": submission(2)}, headers=owner)
    assert draft.status_code == 201, draft.text
