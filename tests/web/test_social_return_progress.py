"""The buyer's progress on /inkoop/aanbestedingen/{id}/social-return (issue 28 item 5): accepted
value against what remains, time elapsed, the projection and the quarter chart."""

from __future__ import annotations

from datetime import date

import pytest

from tests.web.test_inkoop import post, signed_in_buyer
from tests.web.test_inkoop_social_return import awarded, flat

pytestmark = pytest.mark.anyio


async def contract_with_lines(client, session_maker, make_token) -> tuple[str, str, dict]:
    csrf = await signed_in_buyer(client, session_maker)
    url = await awarded(client, csrf)
    saved = await post(client, f"{url}/social-return", {
        "csrf": csrf, "contractSum": "250000", "basis": "rate", "ratePct": "5",
        "reductions.trede2": "50", "modelId": "oost-nederland-v05",
        "periodStart": "2027-01-01", "periodEnd": "2028-12-31", "settlement.rule": "penalty"})
    assert saved.status_code == 303, saved.text
    return url, csrf, await make_token("company", kvk="20000002")


async def report(client, url: str, contractor: dict, pseudonym: str) -> int:
    tid = url.rsplit("/", 1)[-1]
    made = await client.post(f"/api/v1/tenders/{tid}/social-return/lines", headers=contractor,
                             json={"kind": "placement", "block": "pw-kort",
                                   "pseudonym": pseudonym, "start": "2027-01-01",
                                   "end": "2027-03-31", "hoursPerWeek": "24"})
    assert made.status_code == 201, made.text
    return made.json()["id"]


async def test_progress_counts_only_accepted_lines(client, session_maker, make_token,
                                                   fixed_today) -> None:
    fixed_today(date(2027, 6, 30))
    url, csrf, contractor = await contract_with_lines(client, session_maker, make_token)
    first = await report(client, url, contractor, "K-17")
    await report(client, url, contractor, "K-18")  # waits: does not count
    page = flat((await client.get(f"{url}/social-return")).text)
    assert "Stand: achter" in page and "Geaccepteerd € 0,00 van € 6.250,00 (0%)" in page

    done = await post(client, f"{url}/social-return/regels/{first}",
                      {"csrf": csrf, "decision": "accepted"})
    assert done.status_code == 303
    page = flat((await client.get(f"{url}/social-return")).text)
    # 4.931,51 of 6.250,00 = 78,9 %; 1 January..30 June 2027 = 181 of 731 days = 24,8 %
    assert "Stand: op schema " in page
    assert "Geaccepteerd € 4.931,51 van € 6.250,00 (78,9%)" in page
    assert "Verstreken tijd 181 van 731 dagen (24,8%)" in page
    # 4.931,51 × 731 ÷ 181 = 19.916,761... → 19.916,76: no shortfall
    assert "Verwacht aan het einde € 19.916,76 " in page
    assert "2027 K1: € 4.931,51 geaccepteerd, totaal € 4.931,51; 2027 K2: € 0,00" in page
    assert "2028 K1" not in page.split("Te realiseren € 6.250,00.")[1].split("Gemelde")[0]


async def test_projection_short_shows_the_shortfall(client, session_maker, make_token,
                                                    fixed_today) -> None:
    fixed_today(date(2028, 6, 30))  # 547 of 731 days (2028 is a leap year)
    url, csrf, contractor = await contract_with_lines(client, session_maker, make_token)
    line = await report(client, url, contractor, "K-17")
    await post(client, f"{url}/social-return/regels/{line}", {"csrf": csrf,
                                                              "decision": "accepted"})
    page = flat((await client.get(f"{url}/social-return")).text)
    # 78,9 % realised against 74,8 % elapsed is on track; 4.931,51 × 731 ÷ 547 = 6.590,37
    assert "Verstreken tijd 547 van 731 dagen (74,8%)" in page
    assert "Stand: op schema " in page and "Verwacht aan het einde € 6.590,37 " in page
    fixed_today(date(2028, 12, 31))
    page = flat((await client.get(f"{url}/social-return")).text)
    assert "Stand: achter" in page
    assert "Verwacht aan het einde € 4.931,51, een tekort van € 1.318,49" in page
