"""Every operation the OpenAPI document marks as needing a token refuses anonymous callers,
and every other operation is reachable without one (no accidental lock-out or leak)."""

from __future__ import annotations

import re

import pytest

from tests.api.test_foundation import assert_problem

pytestmark = pytest.mark.anyio

SAMPLES = {"kvk": "12345678", "number": "PSO-2026-000001", "code": "ABCD", "id": "1"}


def concrete(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return next((v for k, v in SAMPLES.items() if name.lower().endswith(k)), "1")

    return re.sub(r"\{([^}:]+)(?::[^}]+)?\}", value, path)


async def test_guarded_operations_need_a_token(client) -> None:
    doc = (await client.get("/api/v1/openapi.json")).json()
    base = doc["servers"][0]["url"]  # the document's paths are relative to /api/v1
    guarded = [(method, path) for path, item in doc["paths"].items()
               for method, op in item.items() if op.get("security")]
    assert len(guarded) >= 8
    for method, path in guarded:
        body = doc["paths"][path][method].get("requestBody", {}).get("content", {})
        if "multipart/form-data" in body:  # a body of the declared kind, so only the token is missing
            response = await client.request(method.upper(), base + concrete(path),
                                            files={"file": ("a.csv", b"a;b\n", "text/csv")})
        else:
            response = await client.request(method.upper(), base + concrete(path), json={})
        assert_problem(response, 401, "unauthorized")


async def test_operations_without_security_answer_anonymous_callers(client) -> None:
    doc = (await client.get("/api/v1/openapi.json")).json()
    base = doc["servers"][0]["url"]  # the document's paths are relative to /api/v1
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if op.get("security"):
                continue
            response = await client.request(method.upper(), base + concrete(path), json={})
            assert response.status_code not in (401, 403), (method, path, response.text)
            assert response.status_code < 500, (method, path, response.text)


# --- browser pages (SPEC §7.1): every page outside this list needs a signed-in account ---

PUBLIC_PAGES = ("/", "/register", "/vouchers", "/rekentool", "/aanbesteding", "/inloggen",
                "/uitloggen", "/wachtwoord-vergeten", "/wachtwoord-instellen", "/static",
                "/_schema", "/dev/mail")
ROLE_HOMES = {"/mijn": "company", "/beoordeling": "auditor", "/inkoop": "procurement",
              "/gemeente": "municipality", "/beheer": "admin"}


def page_routes(client) -> list[tuple[str, str]]:
    found = []
    for route in client.app.routes:
        if route.path.startswith("/api/"):
            continue
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            found.append((method, route.path))
    return found


def is_public(path: str) -> bool:
    return any(path == p or (p != "/" and path.startswith(p + "/")) for p in PUBLIC_PAGES)


async def test_every_private_page_sends_anonymous_visitors_to_sign_in(client) -> None:
    private = [(m, p) for m, p in page_routes(client) if not is_public(p)]
    assert {"/account", "/account/uitnodigen", *ROLE_HOMES} <= {p for _, p in private}
    for method, path in private:
        url = concrete(path)
        response = await client.request(method, url, data={"csrf": "x"},
                                         follow_redirects=False)
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"] == f"/inloggen?volgende={url}", (method, path)


async def test_role_homes_refuse_other_roles(client, session_maker) -> None:
    from tests.web.test_accounts import make_account, sign_in

    await make_account(session_maker, "procurement")
    await sign_in(client, "procurement@example.nl")
    for path, role in ROLE_HOMES.items():
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == (200 if role == "procurement" else 403), path
    assert (await client.get("/account")).status_code == 200
