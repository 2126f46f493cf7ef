"""The buying organisation's overview (SPEC §8.2, §8.3): per contract obligation and realised
value; per year and block the value, people and hours of accepted lines; a cell with fewer
than five people behind it shows no figures (API and CSV)."""

from __future__ import annotations

import csv
import io

import pytest

from pso.auth import SYSTEM
from pso.services import accounts
from tests.api.test_contract_monitoring import BUYER_KVK
from tests.api.test_foundation import assert_problem
from tests.api.test_social_return_settlement import contract_with, line
from tests.api.test_social_return_terms import headers  # noqa: F401

pytestmark = pytest.mark.anyio
URL = "/api/v1/social-return/overview"
MUNICIPAL = "/api/v1/social-return/municipality-overview"
QUARTER = {"kind": "placement", "block": "pw-kort", "start": "2027-01-01", "end": "2027-03-31",
           "hoursPerWeek": "36"}


async def test_overview_per_block_and_year_hides_small_cells(
    client, headers, make_token  # noqa: F811
) -> None:
    url = await contract_with(client, headers, make_token)
    for person in ("K-1", "K-2", "K-3", "K-4"):
        await line(client, headers, url, {**QUARTER, "pseudonym": person}, "accepted")
    await line(client, headers, url, {**QUARTER, "pseudonym": "K-5", "start": "2027-12-01",
                                      "end": "2028-01-31"}, "accepted")
    await line(client, headers, url, {**QUARTER, "pseudonym": "K-6"}, "rejected")
    await line(client, headers, url, {**QUARTER, "block": "ww-kort", "pseudonym": "W-1"},
               "accepted")

    body = (await client.get(URL, headers=headers["buyer"])).json()
    [contract] = body["contracts"]
    # 4 × 30.000 × 90/365 (7.397,26) + 30.000 × 62/365 (5.095,89) + 10.000 × 90/365 (2.465,75)
    assert (contract["obligation"], contract["realised"], contract["settled"]) == (
        "6250.00", "37150.68", False)
    assert body["minPeople"] == 5
    assert [(b["year"], b["block"], b["suppressed"], b["people"], b["hours"], b["value"])
            for b in body["blocks"]] == [
        # per year: K-5's 31 days in 2027 are 2.547,95; 4 × 36 × 90/7 (462,86) + 36 × 31/7
        # (159,43) hours
        (2027, "pw-kort", False, 5, "2010.87", "32136.99"),
        (2027, "ww-kort", True, None, None, None),
        (2028, "pw-kort", True, None, None, None),
    ]
    got = await client.get(URL, params={"format": "csv"}, headers=headers["buyer"])
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["2027", "Participatiewet < 2 jaar", "pw-kort", "5", "2010,87",
                       "32136,99"]
    assert rows[2][3:] == ["minder dan 5 personen", "", ""]

    other = (await client.get(URL, headers=headers["other_buyer"])).json()
    assert other == {"contracts": [], "blocks": [], "minPeople": 5}
    assert_problem(await client.get(URL, headers=headers["contractor"]), 403)
    assert_problem(await client.get(URL, params={"format": "xls"},
                                    headers=headers["buyer"]), 400)


async def test_a_municipality_sees_its_buyers_contracts_summed(
    client, headers, make_token, session_maker  # noqa: F811
) -> None:
    """The buyer's organisation buys for Utrecht (set by an admin, in the audit log): Utrecht
    sees per organisation and per year and block, no contract or contractor; Apeldoorn sees
    nothing of it, and may not ask for Utrecht's."""
    url = await contract_with(client, headers, make_token)
    for person in ("K-1", "K-2", "K-3", "K-4", "K-5"):
        await line(client, headers, url, {**QUARTER, "pseudonym": person}, "accepted")
    await line(client, headers, url, {**QUARTER, "block": "ww-kort", "pseudonym": "W-1"},
               "accepted")
    async with session_maker() as session, session.begin():
        party = await accounts.ensure_party(session, "buyer", BUYER_KVK)
        await accounts.set_municipality(session, SYSTEM, party, "GM0344")
        with pytest.raises(accounts.AccountError, match="gemeentecode"):
            await accounts.set_municipality(session, SYSTEM, party, "Utrecht")
    utrecht = await make_token("municipality", person=True, kvk="GM0344")
    apeldoorn = await make_token("municipality", person=True, kvk="GM0200")

    body = (await client.get(MUNICIPAL, headers=utrecht)).json()
    # 5 × 30.000 × 90/365 = 36.986,30; the W-1 cell has one person: hidden
    assert (body["municipality"], body["name"], body["minPeople"]) == ("GM0344", "Utrecht", 5)
    assert body["buyers"] == [{"name": "Gemeente Inkoop Oost", "kvk": BUYER_KVK,
                               "contracts": 1, "settled": 0, "obligation": "6250.00",
                               "suppressed": False, "realised": "39452.05"}]
    assert [(b["block"], b["suppressed"], b["people"], b["value"]) for b in body["blocks"]] == [
        ("pw-kort", False, 5, "36986.30"), ("ww-kort", True, None, None)]
    assert "contractor" not in str(body) and "K-1" not in str(body)
    got = await client.get(MUNICIPAL, params={"format": "csv"}, headers=utrecht)
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:4] == ["2027", "Participatiewet < 2 jaar", "pw-kort", "5"]

    assert (await client.get(MUNICIPAL, headers=apeldoorn)).json()["buyers"] == []
    assert_problem(await client.get(MUNICIPAL, params={"municipality": "GM0344"},
                                    headers=apeldoorn), 403)
    assert_problem(await client.get(MUNICIPAL, headers=headers["buyer"]), 403)
    assert_problem(await client.get(MUNICIPAL, headers=headers["contractor"]), 403)
    admin = await make_token("admin")
    assert_problem(await client.get(MUNICIPAL, headers=admin), 400)
    assert_problem(await client.get(MUNICIPAL, params={"municipality": "Utrecht"},
                                    headers=admin), 400)
    seen = (await client.get(MUNICIPAL, params={"municipality": "GM0344"}, headers=admin))
    assert seen.json()["buyers"][0]["contracts"] == 1
    events = (await client.get("/api/v1/audit-events", params={"entityType": "party"},
                               headers=admin)).json()
    assert [(e["action"], e["summary"]["municipality"]) for e in events["items"]] == [
        ("party.municipality_set", "GM0344")]

    # An admin moves the organisation to Apeldoorn (/beheer/accounts), later removes the link.
    for code, sees in (("GM0200", (0, 1)), (None, (0, 0))):
        async with session_maker() as session, session.begin():
            party = await accounts.ensure_party(session, "buyer", BUYER_KVK)
            await accounts.set_municipality(session, SYSTEM, party, code)
        seen = [(await client.get(MUNICIPAL, headers=h)).json() for h in (utrecht, apeldoorn)]
        assert tuple(len(body["buyers"]) for body in seen) == sees, code
