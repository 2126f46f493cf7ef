"""Post/redirect/get for refused forms (issue 21 item 12, issue 23 item 4): the POST
answers with a redirect to the form's page; that GET shows the errors and what was typed,
once, and only to the browser that posted; the title starts with "Fout:" and a static
script moves focus to the error summary."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from pso.app import create_app
from tests.web.prg import refused_redirect
from tests.web.test_accounts import csrf_of
from tests.web.test_mijn import register, signed_in

pytestmark = pytest.mark.anyio


async def test_a_refused_form_redirects_to_its_page_with_errors_and_values(
        client, session_maker, settings) -> None:
    await signed_in(client, session_maker)
    await register(client)
    form = await client.get("/mijn/aanvraag/nieuw")
    posted = await client.post("/mijn/aanvraag/nieuw", follow_redirects=False, data={
        "csrf": csrf_of(form.text), "period.start": "31-12-2025", "period.end": "01-01-2025",
        "totalFte": "twintig"})
    assert refused_redirect(posted) and posted.headers["location"] == "/mijn/aanvraag/nieuw"
    assert posted.headers["cache-control"] == "no-store"
    cookie = posted.cookies.get("pso_antwoord")

    # Another browser holding the same one-time key gets nothing (bound to the session).
    async with AsyncTestClient(app=create_app(settings)) as other:
        other.cookies.set("pso_antwoord", cookie)
        stolen = await other.get("/mijn/aanvraag/nieuw", follow_redirects=False)
        assert "twintig" not in stolen.text

    shown = await client.get("/mijn/aanvraag/nieuw", follow_redirects=False)
    assert shown.status_code == 400
    assert "<title>Fout: " in shown.text and 'src="/static/web/errors.js"' in shown.text
    assert 'value="twintig"' in shown.text and 'class="error-summary"' in shown.text
    # Once: reloading the page (or coming back to it later) shows the empty form.
    again = await client.get("/mijn/aanvraag/nieuw", follow_redirects=False)
    assert again.status_code == 200 and "twintig" not in again.text
    assert "<title>Fout: " not in again.text and "errors.js" not in again.text


async def test_errors_script_is_served_under_the_csp(client) -> None:
    script = await client.get("/static/web/errors.js")
    assert script.status_code == 200 and "error-summary" in script.text
    assert "script-src 'self'" in script.headers.get("content-security-policy", "script-src 'self'")


async def test_the_calculator_and_tender_tool_announce_errors_in_the_title(client) -> None:
    """The public tools store nothing, so they answer the POST itself; their error pages
    still say "Fout:" and load the focus script."""
    from tests.web.test_pages import calculator_form

    bad = await client.post("/rekentool", data=calculator_form(totalFte="nul", action="score"))
    assert bad.status_code == 400 and "<title>Fout: Rekentool" in bad.text
    assert 'src="/static/web/errors.js"' in bad.text
    good = await client.post("/rekentool", data=calculator_form(action="score"))
    assert good.status_code == 200 and "<title>Fout:" not in good.text
    tender = await client.post("/aanbesteding", data={"deadline": "31-02-2026"})
    assert tender.status_code == 400 and "<title>Fout: " in tender.text
