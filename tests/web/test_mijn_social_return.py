"""/mijn/social-return over HTTP: the contractor sees its contracts with terms, reports lines by
form (errors at the inputs, nothing stored), and sees their value and review."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.conftest import count_rows
from tests.web.test_accounts import csrf_of, make_account, sign_in
from tests.web.test_inkoop import post, signed_in_buyer
from tests.web.test_inkoop_social_return import awarded

pytestmark = pytest.mark.anyio


def flat(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


async def contract(client, session_maker) -> int:
    csrf = await signed_in_buyer(client, session_maker)
    url = await awarded(client, csrf)
    saved = await post(client, f"{url}/social-return", {
        "csrf": csrf, "contractSum": "250000", "basis": "rate", "ratePct": "5",
        "reductions.trede2": "50", "modelId": "utrecht-a", "periodStart": "2027-01-01",
        "periodEnd": "2028-12-31", "settlement.rule": "penalty"})
    assert saved.status_code == 303, saved.text
    await client.post("/uitloggen", data={"csrf": csrf})
    client.cookies.clear()
    return int(url.rsplit("/", 1)[-1])


async def contractor(client, session_maker, email: str, kvk: str) -> str:
    await make_account(session_maker, "company", email, party=kvk)
    await sign_in(client, email)
    return csrf_of((await client.get("/mijn/social-return")).text)


async def test_contractor_reports_a_placement_with_bonuses(client, session_maker) -> None:
    tid = await contract(client, session_maker)
    csrf = await contractor(client, session_maker, "hr@schoon.example.nl", "20000002")
    page = flat((await client.get("/mijn/social-return")).text)
    assert "Schoonmaak stadhuis" in page and "Te realiseren € 6.250,00" in page
    url = f"/mijn/social-return/{tid}/regels"
    bad = await post(client, url, {"csrf": csrf, "kind": "placement", "block": "pw-kort",
                                   "pseudonym": "Jan Jansen", "start": "01-03-2027",
                                   "end": "01-02-2027", "hoursPerWeek": "veel"})
    assert bad.status_code == 400
    for field in ("pseudonym", "end", "hoursPerWeek"):
        assert f'id="f-c{tid}-{field}-error"' in bad.text, field
    assert await count_rows(session_maker, "social_return_lines") == 0
    # (30.000 + 10.000 + 5.000) × 32/36 × 181/365 = 19.835,62
    good = await post(client, url, {"csrf": csrf, "kind": "placement", "block": "pw-kort",
                                    "pseudonym": "K-17", "start": "01-01-2027",
                                    "end": "30-06-2027", "hoursPerWeek": "32",
                                    "bonuses": ["vast", "50plus"], "amount": "stale"})
    assert good.status_code == 303, good.text
    page = flat((await client.get(good.headers["location"])).text)
    assert "gemeld; de inkoper beoordeelt hem" in page
    assert "K-17, 1 januari 2027 tot en met 30 juni 2027, 32 uur per week € 19.835,62 " \
           "Wacht op beoordeling" in page
    activity = await post(client, url, {"csrf": csrf, "kind": "activity",
                                        "block": "maatschappelijk", "description": "Gastles",
                                        "hours": "7,5"})
    assert activity.status_code == 303
    assert "Gastles, 7,5 uur € 750,00" in flat((await client.get("/mijn/social-return")).text)


async def test_other_companies_see_no_contract(client, session_maker) -> None:
    tid = await contract(client, session_maker)
    csrf = await contractor(client, session_maker, "iemand@anders.example.nl", "10000001")
    assert "nog geen contracten" in (await client.get("/mijn/social-return")).text
    refused = await post(client, f"/mijn/social-return/{tid}/regels", {
        "csrf": csrf, "kind": "activity", "block": "maatschappelijk", "description": "X",
        "hours": "1"})
    assert refused.status_code == 303
    assert await count_rows(session_maker, "social_return_lines") == 0
