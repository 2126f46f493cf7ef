"""/inkoop after the award (issue 22 items 1, 3 and 4): the overview says awarded, under
monitoring and shows alerts with the penalty; the monitoring page lists the days the outcome
changed (one check per day, paged); a subsidiary winner is watched; the policy's rung fields
carry their unit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pso.clock import today
from pso.services import monitoring
from tests.api.procurement_support import certify, tokens
from tests.conftest import count_rows
from tests.factories import organization
from tests.web.test_beheer import text_of
from tests.web.test_inkoop import new_tender, post, signed_in_buyer

pytestmark = pytest.mark.anyio

MOTHER, CHILD = "42000000", "42000001"


async def subsidiary_wins(client, session_maker, make_token) -> tuple[dict, str, str, str]:
    """A trede 3 + PSO 30+ certificate for MOTHER with CHILD on it; CHILD wins a tender at
    € 206.000,00 with 10 % for PSO 30+: advantage € 20.600,00, penalty € 30.900,00."""
    headers = await tokens(make_token)
    created = await client.post("/api/v1/organizations", headers=headers["admin"], json={
        **organization(MOTHER, "Moeder Schoon B.V."),
        "subsidiaries": [{"kvk": CHILD, "name": "Schoon Dochter B.V."}]})
    assert created.status_code == 201, created.text
    ladder = (await certify(client, headers, MOTHER, "trede3+30"))[0]["number"]
    csrf = await signed_in_buyer(client, session_maker)
    url = await new_tender(client, csrf, **{"policy.values.pso30plus": "10"})
    added = await post(client, f"{url}/inschrijvingen", {
        "csrf": csrf, "bidder": "Schoon Dochter B.V.", "kvk": CHILD, "price": "206.000,00",
        "certificateNumber": ladder})
    assert added.status_code == 303, added.text
    awarded = await post(client, f"{url}/gunning", {
        "csrf": csrf, "bidder": CHILD, "contractStart": today().isoformat(),
        "contractEnd": (today() + timedelta(days=730)).isoformat()})
    assert awarded.status_code == 303, awarded.text
    return headers, ladder, url, csrf


async def test_overview_and_monitoring_after_the_award_of_a_subsidiary(
    client, session_maker, make_token, fixed_today
) -> None:
    start = today()
    headers, ladder, url, _ = await subsidiary_wins(client, session_maker, make_token)
    watch = text_of((await client.get(f"{url}/bewaking")).text)
    assert ladder in watch and "Geen certificaat uit het PSO-register" not in watch
    overview = text_of((await client.get("/inkoop")).text)
    assert "Beoordeling vastgesteld" not in overview
    assert "Gegund aan Schoon Dochter B.V.; onder bewaking tot en met" in overview

    # Two years of daily looks; the certificate is suspended for one day, eleven times.
    for day in range(1, 23):
        fixed_today(start + timedelta(days=day))
        action = client.post if day % 2 else client.delete
        changed = await action(f"/api/v1/certificates/{ladder}/suspension",
                               headers=headers["auditor"],
                               **({"json": {"reason": "Onderzoek"}} if day % 2 else {}))
        assert changed.status_code == 200, changed.text
        await monitoring.run_checks(session_maker, today())
        await monitoring.run_checks(session_maker, today())  # a second run: the same row
    fixed_today(start + timedelta(days=23))
    for day in range(23, 60):
        await monitoring.run_checks(session_maker, start + timedelta(days=day))
    assert await count_rows(session_maker, "contract_checks") == 60  # one per day

    overview = text_of((await client.get("/inkoop")).text)
    assert "Beoordeling vastgesteld" not in overview
    assert "Geschorst: gegund aan Schoon Dochter B.V., trede niet gehandhaafd" in overview
    assert "€ 30.900,00" in overview and "2 meldingen" in overview  # ladder and its 30+

    first = (await client.get(f"{url}/bewaking")).text
    rows = re.findall(r'<td data-label="Datum">([^<]+)</td>', first.split('id="controles"')[1])
    # The award day, then 11 suspended and 11 valid again: 23 changes, 20 on a page.
    assert len(rows) == 20 and "23 wijzigingen" in text_of(first)
    assert "Pagina 1 van 2" in text_of(first)
    second = (await client.get(f"{url}/bewaking", params={"page": "2"})).text
    more = re.findall(r'<td data-label="Datum">([^<]+)</td>', second.split('id="controles"')[1])
    assert len(more) == 3 and len(set(rows + more)) == 23  # every day once
    nonsense = await client.get(f"{url}/bewaking", params={"page": "x"})
    assert nonsense.status_code == 200 and "Pagina 1 van 2" in text_of(nonsense.text)


async def test_policy_fields_carry_their_unit(client, session_maker) -> None:
    await signed_in_buyer(client, session_maker)
    page = (await client.get("/inkoop")).text
    label = re.search(r'<label for="f-policy-values-trede3">(.*?)</label>', page, re.DOTALL)
    assert label is not None
    assert "(%)" in label.group(1) and "(€)" in label.group(1)
    assert "Voordeel per trede" in page
