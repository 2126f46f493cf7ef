"""Public pages and the way in (issue 21 item 14): the top menu knows who is signed in,
the home page explains MijnPSO, and the calculator's result leads to a draft application
with the data entered, after signing in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from pso.db.models import Assessment
from tests.web.test_accounts import csrf_of
from tests.web.test_mijn import register, signed_in
from tests.web.test_pages import calculator_form, employee

pytestmark = pytest.mark.anyio


def menu(html: str) -> str:
    return html[html.index('aria-label="Hoofdmenu"'):html.index("</nav>")]


async def test_public_pages_know_who_is_signed_in(client, session_maker) -> None:
    home = await client.get("/")
    top = menu(home.text)
    assert 'href="/inloggen"' in top and 'href="/gemeente"' in top and "Uitloggen" not in top
    assert "MijnPSO" in home.text and "Hoe krijgt uw organisatie een account?" in home.text
    assert "toegangstoken" not in home.text and "openapi.json\" class" not in home.text

    await signed_in(client, session_maker)
    for url in ("/", "/register", "/rekentool", "/aanbesteding"):
        top = menu((await client.get(url)).text)
        assert 'href="/mijn"' in top and "Uitloggen" in top, url
        # A company has no business at the municipality's pages: no "Geen toegang" from the menu.
        assert 'href="/inloggen"' not in top and 'href="/gemeente"' not in top, url

    # Signing out from a public page's menu.
    token = csrf_of(menu((await client.get("/register")).text))
    out = await client.post("/uitloggen", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/inloggen"
    top = menu((await client.get("/")).text)
    assert 'href="/inloggen"' in top and 'href="/mijn"' not in top


async def test_a_forged_portal_note_is_ignored(client) -> None:
    client.cookies.set("pso_portaal", "Y29tcGFueQpFdmU.forged")
    client.cookies.set("pso_sessie", "whatever")
    assert "Uitloggen" not in menu((await client.get("/")).text)


async def test_calculator_result_becomes_a_draft_after_signing_in(client, session_maker) -> None:
    form = calculator_form(**employee(2, "20"))
    result = await client.post("/rekentool", data={**form, "action": "score"})
    assert 'id="apply"' in result.text and 'formaction="/rekentool/aanvraag"' in result.text
    carried = await client.post("/rekentool/aanvraag", data={**form, "action": "apply"},
                                follow_redirects=False)
    assert carried.status_code == 303
    assert carried.headers["location"] == "/mijn/aanvraag/uit-rekentool"
    gate = await client.get("/mijn/aanvraag/uit-rekentool", follow_redirects=False)
    assert gate.headers["location"].startswith("/inloggen?volgende=/mijn/aanvraag/uit-rekentool")

    await signed_in(client, session_maker)
    await register(client)
    page = await client.get("/mijn/aanvraag/uit-rekentool")
    assert page.status_code == 200
    facts = page.text[page.text.index('id="carried"'):]
    assert "1 januari 2025 tot en met 31 december 2025" in facts
    assert re.search(r"<dt>Medewerkers</dt><dd>3</dd>", facts)
    made = await client.post("/mijn/aanvraag/uit-rekentool",
                             data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert made.status_code == 303 and "/stap/2" in made.headers["location"]
    async with session_maker() as session:
        draft = await session.scalar(select(Assessment))
    assert draft.status == "draft"
    assert [str(e["hoursPerWeek"]) for e in draft.submission["employees"]] == ["40", "32.5", "20"]
    # The carried data are used once.
    again = await client.get("/mijn/aanvraag/uit-rekentool", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/mijn/aanvraag/nieuw"


async def test_bad_calculator_data_are_not_carried(client) -> None:
    bad = await client.post("/rekentool/aanvraag",
                            data=calculator_form(totalFte="nul", action="apply"),
                            follow_redirects=False)
    assert bad.status_code == 400 and "pso_rekentool" not in bad.headers.get("set-cookie", "")
