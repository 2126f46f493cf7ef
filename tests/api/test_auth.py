"""Tokens, roles and tenant isolation for every protected route family."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text, update

from pso.db.models import User
from tests.api.test_foundation import assert_problem

pytestmark = pytest.mark.anyio

OWN, OTHER = "11111111", "22222222"


def org(kvk: str) -> dict[str, str]:
    return {"kvk": kvk, "name": f"Org {kvk}", "municipalityCode": "GM0363", "kind": "company"}


@pytest.fixture
async def tokens(make_token) -> dict[str, dict[str, str]]:
    return {
        "admin": await make_token("admin"),
        "auditor": await make_token("auditor"),
        "procurement": await make_token("procurement"),
        "municipality": await make_token("municipality", municipality_code="GM0363"),
        "company": await make_token("company", kvk=OWN),
    }


async def test_anonymous_gets_401_with_challenge(client) -> None:
    for method, path, body in [
        ("POST", "/api/v1/organizations", org(OWN)),
        ("GET", f"/api/v1/organizations/{OWN}", None),
        ("GET", "/api/v1/audit-events", None),
    ]:
        response = await client.request(method, path, json=body)
        assert_problem(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer pso_unknown", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000, "pso_abc"],
)
async def test_bad_tokens_are_401_even_on_public_routes(client, header) -> None:
    response = await client.get("/api/v1/health/live", headers={"Authorization": header})
    assert_problem(response, 401, "unauthorized")


async def test_revoked_and_expired_tokens_are_refused(client, make_token, session_maker) -> None:
    revoked = await make_token("admin")
    expired = await make_token("admin")
    good = await make_token("admin")
    async with session_maker() as session, session.begin():
        await session.execute(update(User).where(User.id == 1).values(revoked_at=datetime.now(UTC)))
        await session.execute(update(User).where(User.id == 2).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert_problem(await client.get("/api/v1/audit-events", headers=revoked), 401)
    assert_problem(await client.get("/api/v1/audit-events", headers=expired), 401)
    assert (await client.get("/api/v1/audit-events", headers=good)).status_code == 200


async def test_tokens_are_stored_only_as_hashes(make_token, session_maker) -> None:
    headers = await make_token("admin")
    token = headers["Authorization"].removeprefix("Bearer ")
    async with session_maker() as session:
        rows = (await session.execute(text("SELECT * FROM users"))).all()
    assert rows and all(token not in str(tuple(row)) for row in rows)


CREATE = {"admin": 201, "auditor": 403, "procurement": 403, "municipality": 403, "company": 201}
READ = {"admin": 200, "auditor": 200, "procurement": 403, "municipality": 403, "company": 200}
AUDIT = {"admin": 200, "auditor": 403, "procurement": 403, "municipality": 403, "company": 403}


@pytest.mark.parametrize("role", list(CREATE))
async def test_role_matrix_organizations_and_audit(client, tokens, role) -> None:
    headers = tokens[role]
    created = await client.post("/api/v1/organizations", json=org(OWN), headers=headers)
    assert created.status_code == CREATE[role], created.text
    if CREATE[role] != 201:
        assert_problem(created, 403, "forbidden")
        await client.post("/api/v1/organizations", json=org(OWN), headers=tokens["admin"])
    read = await client.get(f"/api/v1/organizations/{OWN}", headers=headers)
    assert read.status_code == READ[role], read.text
    audit = await client.get("/api/v1/audit-events", headers=headers)
    assert audit.status_code == AUDIT[role]


async def test_company_is_confined_to_its_own_kvk(client, tokens) -> None:
    company = tokens["company"]
    assert_problem(
        await client.post("/api/v1/organizations", json=org(OTHER), headers=company), 403
    )
    await client.post("/api/v1/organizations", json=org(OTHER), headers=tokens["admin"])
    assert_problem(await client.get(f"/api/v1/organizations/{OTHER}", headers=company), 403)
    assert (await client.get(f"/api/v1/organizations/{OTHER}", headers=tokens["auditor"])).status_code == 200


async def test_audit_log_records_who_did_what(client, tokens) -> None:
    await client.post("/api/v1/organizations", json=org(OWN), headers=tokens["company"])
    response = await client.get(
        "/api/v1/audit-events",
        params={"entityType": "organization", "entityId": OWN},
        headers=tokens["admin"],
    )
    body = response.json()
    assert body["total"] == 1
    event = body["items"][0]
    assert event["action"] == "organization.created"
    assert event["actorRole"] == "company" and event["actorName"] == "test company"
    assert event["summary"]["kvk"] == OWN


async def test_audit_paging_is_validated(client, tokens) -> None:
    for params in ({"page": "0"}, {"pageSize": "1000"}, {"page": "x"}):
        assert_problem(
            await client.get("/api/v1/audit-events", params=params, headers=tokens["admin"]), 400
        )
