"""/inkoop/aanbestedingen/{id}/social-return over HTTP: the buyer's terms after the award, the
form's errors at their inputs, and who may see it."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from pso.clock import today
from tests.conftest import count_rows
from tests.web.test_inkoop import new_tender, post, signed_in_buyer
from tests.wording import is_sentence, page_errors

pytestmark = pytest.mark.anyio


async def awarded(client, csrf: str, *, award: bool = True) -> str:
    url = await new_tender(client, csrf)
    added = await post(client, f"{url}/inschrijvingen", {
        "csrf": csrf, "bidder": "Schoon & Sociaal B.V.", "kvk": "20000002",
        "price": "250.000,00", "declaredRung": "trede2"})
    assert added.status_code == 303, added.text
    if award:
        done = await post(client, f"{url}/gunning", {
            "csrf": csrf, "bidder": "20000002", "contractStart": today().isoformat(),
            "contractEnd": (today() + timedelta(days=729)).isoformat()})
        assert done.status_code == 303, done.text
    return url


def flat(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


async def test_buyer_records_and_changes_the_terms(client, session_maker) -> None:
    csrf = await signed_in_buyer(client, session_maker)
    url = await awarded(client, csrf)
    assert f'href="{url}/social-return"' in (await client.get(url)).text
    page = await client.get(f"{url}/social-return")
    assert page.status_code == 200
    assert 'value="250000"' in page.text  # the awarded price, ready to keep
    assert "Afspraken vastleggen" in page.text and "Trede 2" in flat(page.text)

    saved = await post(client, f"{url}/social-return", {
        "csrf": csrf, "contractSum": "250.000,00", "basis": "rate", "ratePct": "5",
        "reductions.trede2": "50", "modelId": "oost-nederland-v05",
        "periodStart": today().strftime("%d-%m-%Y"),
        "periodEnd": (today() + timedelta(days=729)).isoformat(),
        "settlement.rule": "penalty", "settlement.factor": "1,5"})
    assert saved.status_code == 303, saved.text
    shown = flat((await client.get(saved.headers["location"])).text)
    # 250.000 × 5 % = 12.500; 50 % korting = 6.250
    assert "realiseert € 6.250,00" in shown
    assert "5% van de contractsom = € 12.500,00" in shown
    assert "PSO-korting (Trede 2) 50% = € 6.250,00" in shown
    assert "boete van 1,5 maal het tekort" in shown
    assert "Uniform Bouwblokkenmodel Oost-Nederland V05" in shown and "impactoost.nl" in shown
    assert "Participatiewet < 2 jaar Plaatsing € 30.000,00 per jaar 24 maanden" in shown

    changed = await post(client, f"{url}/social-return", {
        "csrf": csrf, "contractSum": "250000", "basis": "fixed", "ratePct": "5",
        "fixedAmount": "8.000", "reductions.trede2": "", "modelId": "utrecht-a",
        "periodStart": "", "periodEnd": "", "settlement.rule": "buyout",
        "settlement.factor": "1", "settlement.percentage": "80"})
    assert changed.status_code == 303, changed.text
    shown = flat((await client.get(changed.headers["location"])).text)
    assert "vast bedrag € 8.000,00" in shown and "Te realiseren € 8.000,00" in shown
    assert "afkoopsom van 80% van het tekort" in shown and "versie A" in shown
    assert await count_rows(session_maker, "social_return_terms") == 1


async def test_bad_input_shows_dutch_errors_at_the_inputs_and_stores_nothing(
    client, session_maker
) -> None:
    csrf = await signed_in_buyer(client, session_maker)
    url = await awarded(client, csrf)
    bad = await post(client, f"{url}/social-return", {
        "csrf": csrf, "contractSum": "veel", "basis": "rate", "ratePct": "150",
        "reductions.trede2": "-3", "modelId": "oost-nederland-v05",
        "periodStart": "01-02-2027", "periodEnd": "31-01-2027",
        "settlement.rule": "buyout", "settlement.percentage": ""})
    assert bad.status_code == 400
    for field in ("contractSum", "ratePct", "reductions-trede2", "periodEnd"):
        assert f'id="f-{field}-error"' in bad.text, field
    errors = page_errors(bad.text)
    assert errors and all(is_sentence(e.split(": ", 1)[-1]) for e in errors), errors
    assert 'value="veel"' in bad.text  # what was typed stays
    later = await post(client, f"{url}/social-return", {
        "csrf": csrf, "contractSum": "250000", "basis": "rate", "ratePct": "5",
        "modelId": "oost-nederland-v05", "settlement.rule": "buyout",
        "settlement.percentage": ""})
    assert later.status_code == 400 and 'id="f-settlement-percentage-error"' in later.text
    assert await count_rows(session_maker, "social_return_terms") == 0


async def test_not_awarded_other_buyers_and_stale_forms(client, session_maker) -> None:
    csrf = await signed_in_buyer(client, session_maker)
    url = await awarded(client, csrf, award=False)
    page = await client.get(f"{url}/social-return")
    assert page.status_code == 200 and "nog niet gegund" in page.text
    refused = await post(client, f"{url}/social-return", {
        "csrf": csrf, "basis": "rate", "modelId": "utrecht-a", "settlement.rule": "penalty"})
    assert refused.status_code == 409 and "nog niet gegund" in refused.text
    stale = await post(client, f"{url}/social-return", {"csrf": "oud", "modelId": "utrecht-a"})
    assert stale.status_code == 303 and stale.headers["location"] == f"{url}/social-return"

    await client.post("/uitloggen", data={"csrf": csrf})
    client.cookies.clear()
    other = await signed_in_buyer(client, session_maker, "ander@example.nl", "30280354")
    assert (await client.get(f"{url}/social-return", follow_redirects=False)).headers[
        "location"] == "/inkoop"
    sneaky = await post(client, f"{url}/social-return", {
        "csrf": other, "basis": "rate", "modelId": "utrecht-a", "settlement.rule": "penalty"})
    assert sneaky.status_code == 303 and sneaky.headers["location"] == "/inkoop"
    assert await count_rows(session_maker, "social_return_terms") == 0


async def test_anonymous_visitors_sign_in_first(client) -> None:
    page = await client.get("/inkoop/aanbestedingen/1/social-return", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/inloggen")




async def test_buyer_reviews_reported_lines(client, session_maker, make_token) -> None:
    csrf = await signed_in_buyer(client, session_maker)
    url = await awarded(client, csrf)
    saved = await post(client, f"{url}/social-return", {
        "csrf": csrf, "contractSum": "250000", "basis": "rate", "ratePct": "5",
        "reductions.trede2": "50", "modelId": "oost-nederland-v05",
        "periodStart": "2027-01-01", "periodEnd": "2028-12-31", "settlement.rule": "penalty"})
    assert saved.status_code == 303, saved.text
    tid = url.rsplit("/", 1)[-1]
    contractor = await make_token("company", kvk="20000002")
    api = f"/api/v1/tenders/{tid}/social-return/lines"
    ids = []
    for pseudonym in ("K-17", "K-18"):
        made = await client.post(api, headers=contractor, json={
            "kind": "placement", "block": "pw-kort", "pseudonym": pseudonym,
            "start": "2027-01-01", "end": "2027-03-31", "hoursPerWeek": "24"})
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    page = flat((await client.get(f"{url}/social-return")).text)
    assert "K-17, 1 januari 2027 tot en met 31 maart 2027, 24 uur per week € 4.931,51" in page
    assert "wacht op beoordeling: € 9.863,02" in page

    accepted = await post(client, f"{url}/social-return/regels/{ids[0]}",
                          {"csrf": csrf, "decision": "accepted"})
    assert accepted.status_code == 303, accepted.text
    no_reason = await post(client, f"{url}/social-return/regels/{ids[1]}",
                           {"csrf": csrf, "decision": "rejected", "reason": ""})
    assert no_reason.status_code == 400
    assert "Geef een reden voor de afwijzing." in page_errors(no_reason.text)[-1]
    rejected = await post(client, f"{url}/social-return/regels/{ids[1]}",
                          {"csrf": csrf, "decision": "rejected", "reason": "Geen contract gezien."})
    assert rejected.status_code == 303
    page = flat((await client.get(rejected.headers["location"])).text)
    assert "Regel " + str(ids[1]) + " afgewezen." in page
    assert "Geaccepteerd: € 4.931,51 van € 6.250,00" in page
    assert "Afgewezen: Geen contract gezien." in page
    again = await post(client, f"{url}/social-return/regels/{ids[0]}",
                       {"csrf": csrf, "decision": "rejected", "reason": "Toch niet."})
    assert again.status_code == 409 and "al beoordeeld" in again.text
