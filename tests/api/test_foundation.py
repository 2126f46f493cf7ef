"""The service skeleton: problem details, headers, OpenAPI, health, transactions."""

from __future__ import annotations

import pytest
from litestar import get, post
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from pso import API_VERSION
from pso.auth import SYSTEM
from pso.http.transaction import provide_db
from pso.services import organizations
from pso.settings import Settings, SettingsError
from tests.conftest import count_rows
from tests.wording import unstyled

pytestmark = pytest.mark.anyio

ORG = {"kvk": "12345678", "name": "Test B.V.", "municipalityCode": "GM0200", "kind": "company"}


def assert_problem(response, status: int, slug: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "status", "title", "detail"} <= body.keys()
    assert body["status"] == status
    if slug:
        assert body["type"] == f"urn:pso:problem:{slug}"
    return body


async def test_liveness_and_health(client) -> None:
    live = await client.get("/api/v1/health/live")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    health = await client.get("/api/v1/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok"}


async def test_health_reports_unreachable_database() -> None:
    from litestar.testing import AsyncTestClient

    from pso.app import create_app

    settings = Settings.from_env(
        {"PSO_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none", "PSO_ENV": "test"}
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get("/api/v1/health")
    body = assert_problem(response, 503, "service-unavailable")
    assert body["database"] == "unreachable"


async def test_api_version_header_on_every_kind_of_response(client) -> None:
    for method, path in [("GET", "/api/v1/health/live"), ("GET", "/nope"),
                         ("DELETE", "/api/v1/health/live"), ("POST", "/api/v1/organizations")]:
        response = await client.request(method, path)
        assert response.headers["API-Version"] == API_VERSION
        assert response.headers["X-Request-ID"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_openapi_document(client) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "PSO-dienst API"
    assert doc["servers"] == [{"url": "/api/v1", "description": "Deze omgeving (versie 1)"}]
    assert "/organizations" in doc["paths"]  # relative to the server /api/v1
    assert "/health" in doc["paths"]
    schema = doc["components"]["schemas"]
    assert any("municipalityCode" in s.get("properties", {}) for s in schema.values())
    evaluation = doc["paths"]["/tenders/{tender_id}/evaluation"]["get"]
    assert {"application/json", "text/csv", "application/pdf"} <= set(
        evaluation["responses"]["200"]["content"])


async def test_validation_lists_every_field_error(client, make_token) -> None:
    admin = await make_token("admin")
    response = await client.post(
        "/api/v1/organizations",
        json={"kvk": "1234", "name": "", "municipalityCode": "X1", "kind": "bank", "extra": 1},
        headers=admin,
    )
    body = assert_problem(response, 400, "invalid-input")
    names = {p["name"] for p in body["invalidParams"]}
    assert names == {"kvk", "name", "municipalityCode", "kind", "extra"}
    reasons = {p["name"]: p["reason"] for p in body["invalidParams"]}
    assert reasons["kvk"] == "Een KvK-nummer bestaat uit precies 8 cijfers."
    assert reasons["extra"] == "Onbekend veld."
    assert unstyled(body) == []


@pytest.mark.parametrize(
    "payload",
    [b"{", b"[]", b"null", b'"x"', b"\xff\xfe", b'{"kvk": 12345678}', b'{"a":' * 5000],
)
async def test_malformed_and_hostile_bodies_are_400(client, make_token, session_maker, payload) -> None:
    admin = await make_token("admin")
    response = await client.post(
        "/api/v1/organizations",
        content=payload,
        headers={**admin, "Content-Type": "application/json"},
    )
    body = assert_problem(response, 400)
    assert body["invalidParams"]
    assert await count_rows(session_maker, "organizations") == 0


async def test_body_limit_is_413(client, make_token) -> None:
    admin = await make_token("admin")
    response = await client.post(
        "/api/v1/organizations",
        content=b'{"name": "' + b"x" * (6 * 1024 * 1024) + b'"}',
        headers={**admin, "Content-Type": "application/json"},
    )
    assert_problem(response, 413, "payload-too-large")


async def test_not_found_and_method_not_allowed(client) -> None:
    assert_problem(await client.get("/api/v1/unknown"), 404, "not-found")
    assert_problem(await client.put("/api/v1/health/live"), 405, "method-not-allowed")


async def test_duplicate_organization_is_409_and_changes_nothing(client, make_token, session_maker) -> None:
    admin = await make_token("admin")
    assert (await client.post("/api/v1/organizations", json=ORG, headers=admin)).status_code == 201
    events = await count_rows(session_maker, "audit_events")
    again = await client.post("/api/v1/organizations", json={**ORG, "name": "Ander"}, headers=admin)
    assert_problem(again, 409, "organization-exists")
    assert await count_rows(session_maker, "audit_events") == events
    got = await client.get("/api/v1/organizations/12345678", headers=admin)
    assert got.json()["name"] == "Test B.V."


async def test_unexpected_error_is_500_without_internals_and_rolls_back(
    client, session_maker
) -> None:
    @post("/api/v1/_boom", dependencies={"db": Provide(provide_db)}, status_code=201)
    async def boom(db: AsyncSession) -> None:
        await organizations.create(db, SYSTEM, {"kvk": "87654321", "name": "Half",
                                                "municipality_code": "GM0200", "kind": "company"})
        raise RuntimeError("secret internals: password=hunter2")

    client.app.register(boom)
    response = await client.post("/api/v1/_boom", headers={"X-Request-ID": "req-42"})
    body = assert_problem(response, 500, "internal-error")
    assert "hunter2" not in response.text and "Traceback" not in response.text
    assert body["requestId"] == "req-42"
    assert await count_rows(session_maker, "organizations") == 0
    assert await count_rows(session_maker, "audit_events") == 0


async def test_get_with_bad_path_parameter_is_400(client, make_token) -> None:
    @get("/api/v1/_typed/{n:int}", sync_to_thread=False)
    def typed(n: int) -> dict[str, int]:
        return {"n": n}

    client.app.register(typed)
    assert (await client.get("/api/v1/_typed/5")).json() == {"n": 5}
    assert_problem(await client.get("/api/v1/_typed/five"), 404)


def test_production_requires_a_secret() -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({"PSO_ENV": "production"})
    with pytest.raises(SettingsError):
        Settings.from_env({"PSO_ENV": "production", "PSO_SECRET_KEY": "short"})
    ok = Settings.from_env({"PSO_ENV": "production", "PSO_SECRET_KEY": "k" * 40,
                            "PSO_PUBLIC_URL": "https://pso.example.nl"})
    assert ok.secret_key == "k" * 40
    with pytest.raises(SettingsError):
        Settings.from_env({"PSO_ENV": "staging"})
    with pytest.raises(SettingsError):
        Settings.from_env({"PSO_ENV": "test", "PSO_RATE_LIMIT": "many"})
