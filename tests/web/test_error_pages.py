"""A browser that lands on a missing page gets a Dutch page; API clients keep problem JSON."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def test_unknown_page_in_a_browser_is_a_dutch_html_page(client) -> None:
    response = await client.get("/rekentoool", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Niet gevonden" in response.text and 'href="/rekentool"' in response.text
    assert response.headers["API-Version"]


async def test_api_clients_and_api_paths_keep_problem_details(client) -> None:
    plain = await client.get("/rekentoool")
    assert plain.headers["content-type"].startswith("application/problem+json")
    api = await client.get("/api/v1/bestaat-niet", headers=HTML)
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")


async def test_wrong_method_on_a_page_is_a_page_too(client) -> None:
    response = await client.delete("/register", headers=HTML)
    assert response.status_code == 405 and "text/html" in response.headers["content-type"]
