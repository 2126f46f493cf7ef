"""Contract monitoring (issue 14): the award, the daily look at the winner's certificates,
events once with a mail to the buyer's people and the penalty, and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from pso.auth import SYSTEM
from pso.clock import today
from pso.db.models import AuditEvent, ContractCheck, OutboxMail
from pso.jobs import run_jobs
from pso.services import accounts, monitoring
from tests.api.procurement_support import POLICY, five_bids, number, tokens
from tests.api.test_foundation import assert_problem
from tests.conftest import count_rows

pytestmark = pytest.mark.anyio

URL = "/api/v1/tenders"
BUYER_KVK = "30280353"
BUYER_EMAIL = "inkoper@example.nl"


async def buyer_token(session_maker, email: str = BUYER_EMAIL, kvk: str = BUYER_KVK) -> dict:
    """A procurement account of a buying organisation, with a personal API token."""
    async with session_maker() as session, session.begin():
        party = await accounts.ensure_party(session, "buyer", kvk, "Gemeente Inkoop Oost")
        account = await accounts.create_account(
            session, SYSTEM, email=email, name="Ina Inkoper", role="procurement", party=party,
            password=None)
        _, raw = await accounts.create_token(session, account, "test")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
async def headers(client, make_token, session_maker) -> dict[str, dict[str, str]]:
    found = await tokens(make_token)
    found["buyer"] = await buyer_token(session_maker)
    return found


async def tender_with_bids(client, headers, bids) -> int:
    body = {"title": "Groenonderhoud wijk Oost 2027", "reference": "AB-2026-017",
            "deadline": today().isoformat(), "policy": POLICY}
    created = await client.post(URL, json=body, headers=headers["buyer"])
    assert created.status_code == 201, created.text
    tid = created.json()["id"]
    for bid in bids:
        added = await client.post(f"{URL}/{tid}/bids", json=bid, headers=headers["buyer"])
        assert added.status_code == 201, added.text
    return tid


def contract(bidder: str, months: int = 12) -> dict[str, str]:
    return {"bidder": bidder, "contractStart": today().isoformat(),
            "contractEnd": (today() + timedelta(days=30 * months)).isoformat()}


async def mails(session_maker) -> list[OutboxMail]:
    async with session_maker() as session:
        return list(await session.scalars(
            select(OutboxMail).where(OutboxMail.template == "contract_alert")
            .order_by(OutboxMail.id)))


async def test_revoking_the_winners_certificate_is_an_event_and_a_mail(
    client, headers, session_maker, settings
) -> None:
    bids = await five_bids(client, headers)
    tid = await tender_with_bids(client, headers, bids)
    awarded = await client.post(f"{URL}/{tid}/award", json=contract("10000003"),
                                headers=headers["buyer"])
    assert awarded.status_code == 201, awarded.text
    award = awarded.json()
    assert (award["bidder"], award["position"], award["rung"], award["pso30Plus"]) == (
        "Charlie Groen", 1, "trede3", True)
    assert award["penaltyIfNotMaintained"] == "15185.19" and award["advantage"] == "10123.46"
    ladder = bids[2]["certificateNumber"]
    assert [c["kind"] for c in award["certificates"]] == ["ladder", "pso30plus"]
    assert award["certificates"][0]["number"] == ladder

    # The look on the day of the award: all well, nothing to tell.
    seen = (await client.get(f"{URL}/{tid}/monitoring", headers=headers["buyer"])).json()
    assert seen["state"] == "active" and seen["events"] == []
    assert len(seen["checks"]) == 1 and seen["checks"][0]["ok"] is True
    assert [r["status"] for r in seen["checks"][0]["results"]] == ["valid", "valid"]

    revoked = await client.post(f"/api/v1/certificates/{ladder}/revocation",
                                json={"reason": "Onjuiste opgave"}, headers=headers["auditor"])
    assert revoked.status_code == 200, revoked.text
    report = await run_jobs(session_maker, settings, day=today() + timedelta(days=1))
    assert report.ran and report.results["contract_monitoring"]["events"] >= 1

    seen = (await client.get(f"{URL}/{tid}/monitoring", headers=headers["buyer"])).json()
    events = {(e["kind"], e["certificateNumber"]): e for e in seen["events"]}
    event = events[("revoked", ladder)]
    assert event["rungWon"] == "trede3" and event["rungNow"] == "none"
    assert event["penaltyIfNotMaintained"] == "15185.19" and event["notified"] == 1
    assert "15.185,19" in event["detail"]
    assert seen["checks"][0]["ok"] is False

    sent = await mails(session_maker)
    assert [m.to_address for m in sent] == [BUYER_EMAIL] * len(seen["events"])
    alert = next(m for m in sent if ladder in m.text_body)
    assert "Charlie Groen" in alert.subject and "15.185,19" in alert.text_body
    assert f"/inkoop/aanbestedingen/{tid}/bewaking" in alert.text_body

    # Another run (the same day, or later): checked again, but nothing told twice.
    before = len(seen["events"])
    await monitoring.run_checks(session_maker, today() + timedelta(days=1))
    await monitoring.run_checks(session_maker, today() + timedelta(days=2))
    again = (await client.get(f"{URL}/{tid}/monitoring", headers=headers["buyer"])).json()
    assert len(again["events"]) == before and len(await mails(session_maker)) == before
    # One check per day: the second run of day 1 replaced its first look (issue 22 item 3).
    assert await count_rows(session_maker, "contract_checks") == 3
    async with session_maker() as session:
        actions = [e.action for e in await session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "tender",
                                     AuditEvent.entity_id == str(tid)).order_by(AuditEvent.id))]
    assert "tender.awarded" in actions and "contract.revoked" in actions


async def test_consortium_members_are_each_watched(client, headers, session_maker) -> None:
    bids = await five_bids(client, headers)
    tid = await tender_with_bids(client, headers, bids)
    awarded = await client.post(f"{URL}/{tid}/award", json=contract("Combinatie Echo-Foxtrot"),
                                headers=headers["buyer"])
    assert awarded.status_code == 201, awarded.text
    assert awarded.json()["rung"] == "basistrede"
    assert {c["kvk"] for c in awarded.json()["certificates"]} == {"10000005", "10000006"}
    foxtrot = bids[4]["consortium"][1]["certificateNumber"]
    suspended = await client.post(f"/api/v1/certificates/{foxtrot}/suspension",
                                  json={"reason": "Onderzoek"}, headers=headers["auditor"])
    assert suspended.status_code == 200, suspended.text
    counts = await monitoring.run_checks(session_maker, today())
    assert counts == {"contracts": 1, "events": 1, "mails": 1}
    seen = (await client.get(f"{URL}/{tid}/monitoring", headers=headers["buyer"])).json()
    assert [(e["kind"], e["kvk"], e["penaltyIfNotMaintained"]) for e in seen["events"]] == [
        ("suspended", "10000006", "2910.00")]


async def test_a_higher_rung_replacing_the_certificate_is_fine(client, headers,
                                                               session_maker) -> None:
    bids = await five_bids(client, headers)
    tid = await tender_with_bids(client, headers, bids)
    assert (await client.post(f"{URL}/{tid}/award", json=contract("10000001"),
                              headers=headers["buyer"])).status_code == 201
    # Alfa (trede1) is certified again, at trede2: the old certificate is superseded.
    await number(client, headers, "10000001", "trede2")
    await monitoring.run_checks(session_maker, today() + timedelta(days=1))
    seen = (await client.get(f"{URL}/{tid}/monitoring", headers=headers["buyer"])).json()
    assert seen["events"] == []
    assert seen["checks"][0]["ok"] is True


async def test_expiry_within_the_contract_warns_three_months_ahead(
    client, headers, session_maker
) -> None:
    alfa = await number(client, headers, "10000001", "trede1")
    tid = await tender_with_bids(client, headers, [
        {"bidder": "Alfa Bouw B.V.", "kvk": "10000001", "price": "100000.00",
         "certificateNumber": alfa}])
    awarded = await client.post(f"{URL}/{tid}/award", json=contract("10000001", months=40),
                                headers=headers["buyer"])
    assert awarded.status_code == 201, awarded.text
    valid_until = date.fromisoformat(awarded.json()["certificates"][0]["validUntil"])
    # Four months before: nothing yet. Three months before: a warning, once.
    await monitoring.run_checks(session_maker, valid_until - timedelta(days=125))
    seen = (await client.get(f"{URL}/{tid}/monitoring", headers=headers["buyer"])).json()
    assert seen["events"] == []
    await monitoring.run_checks(session_maker, valid_until - timedelta(days=85))
    await monitoring.run_checks(session_maker, valid_until - timedelta(days=84))
    seen = (await client.get(f"{URL}/{tid}/monitoring", headers=headers["buyer"])).json()
    assert [(e["kind"], e["penaltyIfNotMaintained"]) for e in seen["events"]] == [
        ("expiry_warning", None)]
    warning = (await mails(session_maker))[0]
    assert "verloopt" in warning.subject
    # The day after it expired, without a renewal: the rung is lost.
    await monitoring.run_checks(session_maker, valid_until + timedelta(days=1))
    seen = (await client.get(f"{URL}/{tid}/monitoring", headers=headers["buyer"])).json()
    assert [e["kind"] for e in seen["events"]] == ["expiry_warning", "expired"]
    assert seen["events"][1]["penaltyIfNotMaintained"] == "4500.00"
    assert len(await mails(session_maker)) == 2
    # After the contract's end nothing is checked any more.
    assert await monitoring.running_awards(session_maker, today() + timedelta(days=1300)) == []


async def test_award_refusals_and_bad_input(client, headers, session_maker, make_token) -> None:
    bids = await five_bids(client, headers)
    tid = await tender_with_bids(client, headers, bids)
    award = f"{URL}/{tid}/award"
    buyer = headers["buyer"]
    problem = assert_problem(await client.post(award, json={}, headers=buyer), 400)
    assert {p["name"] for p in problem["invalidParams"]} == {
        "bidder", "contractStart", "contractEnd"}
    problem = assert_problem(await client.post(award, json={
        **contract("10000003"), "contractEnd": "2020-01-01"}, headers=buyer), 400)
    assert [p["name"] for p in problem["invalidParams"]] == ["contractEnd"]
    problem = assert_problem(await client.post(award, json=contract("99999999"),
                                               headers=buyer), 400)
    assert [p["name"] for p in problem["invalidParams"]] == ["bidder"]
    assert_problem(await client.post(award, json={**contract("10000003"), "extra": 1},
                                     headers=buyer), 400)
    assert_problem(await client.post(award, content=b"{", headers={
        **buyer, "Content-Type": "application/json"}), 400)
    # Another buyer does not learn the tender exists; other roles may not award.
    other = await buyer_token(session_maker, "ander@example.nl", "30280354")
    assert_problem(await client.post(award, json=contract("10000003"), headers=other), 404)
    assert_problem(await client.get(f"{URL}/{tid}/monitoring", headers=other), 404)
    assert_problem(await client.post(award, json=contract("10000003"),
                                     headers=headers["company"]), 403)
    assert_problem(await client.post(award, json=contract("10000003")), 401)
    assert_problem(await client.get(f"{URL}/999999/monitoring", headers=buyer), 404)
    assert await count_rows(session_maker, "tender_awards") == 0
    before = (await client.get(f"{URL}/{tid}/monitoring", headers=buyer)).json()
    assert before["state"] == "not_awarded" and before["award"] is None

    assert (await client.post(award, json=contract("10000003"), headers=buyer)).status_code == 201
    assert_problem(await client.post(award, json=contract("10000001"), headers=buyer), 409,
                   "tender-already-awarded")
    # The same person's browser session and token see the same tender (the party's).
    assert (await client.get(f"{URL}/{tid}", headers=buyer)).status_code == 200


async def test_award_waits_for_the_deadline(client, headers) -> None:
    body = {"title": "Later", "reference": "X-1",
            "deadline": (today() + timedelta(days=5)).isoformat(), "policy": POLICY}
    tid = (await client.post(URL, json=body, headers=headers["buyer"])).json()["id"]
    added = await client.post(f"{URL}/{tid}/bids", headers=headers["buyer"], json={
        "bidder": "Bravo Wegen", "kvk": "10000002", "price": "98500"})
    assert added.status_code == 201
    assert_problem(await client.post(f"{URL}/{tid}/award", json=contract("10000002"),
                                     headers=headers["buyer"]), 409, "tender-open")


async def test_tenders_belong_to_the_buying_organisation(client, session_maker) -> None:
    first = await buyer_token(session_maker, "een@example.nl")
    colleague = await buyer_token(session_maker, "twee@example.nl")
    body = {"title": "Gedeeld", "reference": "G-1", "deadline": today().isoformat(),
            "policy": POLICY}
    tid = (await client.post(URL, json=body, headers=first)).json()["id"]
    listed = (await client.get(URL, headers=colleague)).json()
    assert [t["id"] for t in listed["items"]] == [tid]
    async with session_maker() as session:
        assert (await session.scalar(select(ContractCheck.id))) is None
