"""Security headers on every kind of response, and pages that a strict CSP does not break."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from litestar.testing import AsyncTestClient

from pso.app import create_app
from pso.settings import Settings
from tests.conftest import empty_tables

pytestmark = pytest.mark.anyio
PAGES = ["/", "/rekentool", "/register", "/aanbesteding", "/gemeente"]


@pytest.fixture
async def sqlite_client(migrated_urls):  # headers do not depend on the database kind
    await empty_tables(migrated_urls["sqlite"])
    settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": migrated_urls["sqlite"],
                                  "PSO_RATE_LIMIT": "0"})
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response) -> None:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in {"no-referrer", "same-origin",
                                          "strict-origin-when-cross-origin"}
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp
    directives = csp_directives(csp)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


async def test_headers_on_every_kind_of_response(sqlite_client) -> None:
    responses = [
        await sqlite_client.get("/api/v1/health/live"),  # JSON
        await sqlite_client.get("/api/v1/openapi.json"),
        await sqlite_client.post("/api/v1/score", content=b"{",  # problem details 400
                                headers={"Content-Type": "application/json"}),
        await sqlite_client.post("/api/v1/score", content=b"{}"),  # 415
        await sqlite_client.get("/api/v1/nope"),  # router 404
        await sqlite_client.delete("/api/v1/health/live"),  # 405
        await sqlite_client.get("/api/v1/audit-events"),  # 401
        await sqlite_client.get("/static/web/site.css"),  # static file
        *[await sqlite_client.get(page) for page in PAGES],  # HTML
    ]
    for response in responses:
        assert response.status_code < 500, response.text
        assert_security_headers(response)


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        if "style" in names:
            self.found.append(f"style attribute on <{tag}>")
        self.found.extend(f"{name} handler on <{tag}>" for name in names
                          if re.fullmatch(r"on[a-z]+", name))
        for name, value in attrs:
            if name in {"href", "src", "action"} and (value or "").lower().startswith(
                    "javascript:"):
                self.found.append(f"javascript: URL on <{tag}>")


@pytest.mark.parametrize("page", PAGES)
async def test_pages_need_no_inline_code(sqlite_client, page: str) -> None:
    response = await sqlite_client.get(page)
    assert response.status_code == 200, response.text
    parser = InlineCode()
    parser.feed(response.text)
    assert parser.found == [], parser.found
