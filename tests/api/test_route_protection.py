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
    guarded = [(method, path) for path, item in doc["paths"].items()
               for method, op in item.items() if op.get("security")]
    assert len(guarded) >= 8
    for method, path in guarded:
        response = await client.request(method.upper(), concrete(path), json={})
        assert_problem(response, 401, "unauthorized")


async def test_operations_without_security_answer_anonymous_callers(client) -> None:
    doc = (await client.get("/api/v1/openapi.json")).json()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if op.get("security"):
                continue
            response = await client.request(method.upper(), concrete(path), json={})
            assert response.status_code not in (401, 403), (method, path, response.text)
            assert response.status_code < 500, (method, path, response.text)
