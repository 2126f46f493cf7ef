"""Settling a contract on /inkoop/aanbestedingen/{id}/social-return: a confirmation the
server checks, a reason before the end, the frozen figures, the PDF and the CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pso.clock import today
from tests.conftest import count_rows
from tests.web.test_inkoop import post, signed_in_buyer
from tests.web.test_inkoop_social_return import awarded, flat
from tests.wording import is_sentence, page_errors

pytestmark = pytest.mark.anyio


async def with_terms(client, csrf: str) -> str:
    url = await awarded(client, csrf)
    saved = await post(client, f"{url}/social-return", {
        "csrf": csrf, "contractSum": "250.000,00", "basis": "rate", "ratePct": "5",
        "reductions.trede2": "50", "modelId": "oost-nederland-v05",
        "periodStart": today().isoformat(),
        "periodEnd": (today() + timedelta(days=729)).isoformat(),
        "settlement.rule": "penalty", "settlement.factor": "1,5"})
    assert saved.status_code == 303, saved.text
    return f"{url}/social-return"


async def test_early_settlement_needs_confirmation_and_a_reason(client, session_maker) -> None:
    csrf = await signed_in_buyer(client, session_maker)
    url = await with_terms(client, csrf)
    page = flat((await client.get(url)).text)
    assert "Contract afrekenen" in page and "Eerder afrekenen kan alleen met een reden" in page

    unconfirmed = await post(client, f"{url}/afrekenen", {"csrf": csrf})
    assert unconfirmed.status_code == 400
    no_reason = await post(client, f"{url}/afrekenen", {"csrf": csrf, "settle.confirm": "ja"})
    assert no_reason.status_code == 409
    for bad in (unconfirmed, no_reason):
        errors = page_errors(bad.text)
        assert errors and all(is_sentence(e.split(": ", 1)[-1]) for e in errors), errors
    assert await count_rows(session_maker, "social_return_settlements") == 0

    done = await post(client, f"{url}/afrekenen", {
        "csrf": csrf, "settle.confirm": "ja", "settle.reason": "Opdracht eerder beëindigd."})
    assert done.status_code == 303, done.text
    shown = flat((await client.get(done.headers["location"])).text)
    # nothing realised: shortfall 6.250 (5 % of 250.000 less 50 %), boete × 1,5 = 9.375
    assert "Contract afgerekend: tekort € 6.250,00, te betalen € 9.375,00." in shown
    assert "Tekort € 6.250,00 Boete € 9.375,00" in shown
    assert "Reden: Opdracht eerder beëindigd." in shown
    assert "Afspraken wijzigen" not in shown and "Contract afrekenen" not in shown
    pdf = await client.get(f"{url}/eindverantwoording.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    got = await client.get(f"{url}/eindverantwoording.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    again = await post(client, f"{url}/afrekenen", {"csrf": csrf, "settle.confirm": "ja",
                                                    "settle.reason": "Nog eens."})
    assert again.status_code == 409
    assert await count_rows(session_maker, "social_return_settlements") == 1


async def test_at_the_contract_end_no_reason_is_asked(client, session_maker,
                                                      fixed_today) -> None:
    csrf = await signed_in_buyer(client, session_maker)
    url = await with_terms(client, csrf)
    fixed_today(today() + timedelta(days=729))
    page = flat((await client.get(url)).text)
    assert "Contract afrekenen" in page and "Reden om eerder af te rekenen" not in page
    done = await post(client, f"{url}/afrekenen", {"csrf": csrf, "settle.confirm": "ja"})
    assert done.status_code == 303, done.text
    assert "vóór het einde" not in flat((await client.get(url)).text)
    assert (await client.get(f"{url}/eindverantwoording.pdf")).status_code == 200


async def test_overview_page_lists_the_contracts(client, session_maker) -> None:
    csrf = await signed_in_buyer(client, session_maker)
    empty = flat((await client.get("/inkoop/social-return")).text)
    assert "nog geen contracten met social-return-afspraken" in empty
    url = await with_terms(client, csrf)
    page = await client.get("/inkoop/social-return")
    shown = flat(page.text)
    assert page.status_code == 200 and f'href="{url}"' in page.text
    assert "Schoon & Sociaal B.V." in shown and "€ 6.250,00 € 0,00 loopt" in shown
    assert "Er zijn nog geen geaccepteerde regels." in shown
    got = await client.get("/inkoop/social-return.csv")
    assert got.status_code == 200 and got.content.decode("utf-8-sig").startswith("Jaar;")
