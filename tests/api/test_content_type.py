"""API bodies must be declared JSON (multipart only where documented): 415 otherwise."""

from __future__ import annotations

import json
import re

import pytest

from tests.api.test_foundation import assert_problem

pytestmark = pytest.mark.anyio

SCORE = {"period": {"start": "2024-01-01", "end": "2024-12-31"}, "totalFte": "10",
         "quality": {"suitableWork": True, "integration": True, "development": True,
                     "guidance": True}}
ORGANIZATION = {"kvk": "12345678", "name": "Bakkerij B.V.", "municipalityCode": "GM0200",
                "kind": "company"}


def wrong_encodings(payload: dict) -> list[tuple[str, dict[str, str], bytes]]:
    raw = json.dumps(payload).encode()
    boundary = "pso-test-boundary"
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n"
                 ).encode() + raw + f"\r\n--{boundary}--\r\n".encode()
    return [
        ("text/plain", {"Content-Type": "text/plain"}, raw),
        ("form", {"Content-Type": "application/x-www-form-urlencoded"}, b"kvk=12345678"),
        ("multipart", {"Content-Type": f"multipart/form-data; boundary={boundary}"}, multipart),
        ("none", {}, raw),
        ("xml", {"Content-Type": "application/xml"}, raw),
    ]


async def test_score_refuses_bodies_not_declared_json(client) -> None:
    for label, headers, raw in wrong_encodings(SCORE):
        body = assert_problem(await client.post("/api/v1/score", content=raw, headers=headers),
                              415, "unsupported-media-type")
        assert "JSON" in body["detail"], label
    # Declared JSON (with charset, or a +json type) is read.
    for media in ("application/json", "application/json; charset=utf-8",
                  "application/merge-patch+json"):
        response = await client.post("/api/v1/score", content=json.dumps(SCORE).encode(),
                                     headers={"Content-Type": media})
        assert response.status_code == 200, (media, response.text)


async def test_nothing_is_created_from_a_body_not_declared_json(client, make_token,
                                                                 session_maker) -> None:
    from tests.conftest import count_rows

    admin = await make_token("admin")
    for label, headers, raw in wrong_encodings(ORGANIZATION):
        response = await client.post("/api/v1/organizations", content=raw,
                                     headers={**admin, **headers})
        assert_problem(response, 415, "unsupported-media-type")
        assert await count_rows(session_maker, "organizations") == 0, label


async def test_every_operation_with_a_body_refuses_other_media(client) -> None:
    """Every POST/PUT of the OpenAPI document: a text/plain or Content-Type-less body is 415
    before guards or business rules (anonymous: not 401/403/404 either)."""
    document = (await client.get("/api/v1/openapi.json")).json()
    checked = 0
    for path, item in document["paths"].items():
        for method in ("post", "put", "patch"):
            operation = item.get(method)
            if not operation or "requestBody" not in operation:
                continue
            media = set(operation["requestBody"]["content"])
            url = document["servers"][0]["url"] + re.sub(r"\{[^}]+\}", "1", path)
            if media == {"multipart/form-data"}:
                wrong = [({"Content-Type": "application/json"}, b"{}"), ({}, b"x")]
            else:
                assert media == {"application/json"}, (path, media)
                wrong = [({"Content-Type": "text/plain"}, b"{}"), ({}, b"{}"),
                         ({"Content-Type": "application/x-www-form-urlencoded"}, b"a=1")]
            for headers, raw in wrong:
                response = await client.request(method.upper(), url, content=raw, headers=headers)
                assert_problem(response, 415, "unsupported-media-type")
                assert "415" in operation["responses"], (method, path)
            checked += 1
    assert checked >= 12


async def test_actions_without_a_body_need_no_content_type(client, make_token) -> None:
    # No body, no Content-Type: nothing to misread (the handler answers as usual).
    admin = await make_token("admin")
    response = await client.post("/api/v1/certificates/PSO-2026-999999/suspension",
                                 headers=admin)
    assert response.status_code in {400, 404}, response.text


async def test_openapi_required_bodies_match_the_server(client, make_token) -> None:
    """The document says which bodies may be left out, and the server agrees: an empty body
    is accepted exactly where `required` is false."""
    from tests.factories import issue_certificate

    document = (await client.get("/api/v1/openapi.json")).json()
    suspension = document["paths"]["/certificates/{number}/suspension"]["post"]
    revocation = document["paths"]["/certificates/{number}/revocation"]["post"]
    cancellation = document["paths"]["/vouchers/{code}/cancellation"]["post"]
    assert suspension["requestBody"]["required"] is False
    assert cancellation["requestBody"]["required"] is False
    assert revocation["requestBody"]["required"] is True
    auditor = await make_token("auditor")
    number = await issue_certificate(client, make_token)
    # Required body left out: 400 naming the body; optional body left out: accepted.
    assert_problem(await client.post(f"/api/v1/certificates/{number}/revocation",
                                     headers=auditor), 400)
    response = await client.post(f"/api/v1/certificates/{number}/suspension", headers=auditor)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "suspended"
    assert response.headers["Cache-Control"] == "no-store"


async def test_authenticated_answers_are_not_cached(client, make_token) -> None:
    from tests.factories import issue_certificate

    number = await issue_certificate(client, make_token)
    admin = await make_token("admin")
    for url in (f"/api/v1/certificates/{number}", f"/api/v1/certificates/{number}/pdf",
                "/api/v1/audit-events", "/api/v1/nope"):
        response = await client.get(url, headers=admin)
        assert response.headers["Cache-Control"] == "no-store", url
    # Anonymous: the public PDF may still be cached.
    public = await client.get(f"/api/v1/certificates/{number}/pdf")
    assert public.headers["Cache-Control"].startswith("public")
