"""A certificate covers the entities it was issued for (SPEC §7.2, issue 20 item 2): its own
frozen list of subsidiaries, not the organisation's subsidiaries of today. A KvK number added
on /mijn/organisatie after the decision is not covered; one removed after it still is. Every
look-up asks the same question (pso.services.coverage): the register, the verification page,
tender evaluations (PSO 30+ included), SROI and contract monitoring (issue 22 item 1)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from pso import mail
from pso.auth import SYSTEM
from pso.clock import today
from pso.db.models import CertificateSubsidiary, ContractEvent
from pso.jobs import run_jobs
from pso.services import monitoring
from tests.api.procurement_support import certify, tokens
from tests.api.test_contract_monitoring import BUYER_EMAIL, buyer_token
from tests.factories import organization

pytestmark = pytest.mark.anyio

MOTHER, KEPT, REMOVED, ADDED = "41000000", "41000001", "41000002", "41000003"
POLICY = {"mode": "percentage", "values": {"trede1": "3", "trede3": "7", "pso30plus": "10"}}


@pytest.fixture
async def headers(client, make_token, session_maker) -> dict[str, dict[str, str]]:
    found = await tokens(make_token)
    found["buyer"] = await buyer_token(session_maker)
    return found


def subsidiaries(*kvks: str) -> list[dict[str, str]]:
    return [{"kvk": k, "name": f"Dochter {k}"} for k in kvks]


async def certified_then_changed(client, headers, rung: str = "trede3+30") -> list[str]:
    """Certified with KEPT and REMOVED as subsidiaries; afterwards the company drops REMOVED
    and adds ADDED. Returns the certificate numbers (ladder first)."""
    body = {**organization(MOTHER, "Moeder Groen B.V."), "subsidiaries": subsidiaries(KEPT, REMOVED)}
    created = await client.post("/api/v1/organizations", json=body, headers=headers["admin"])
    assert created.status_code == 201, created.text
    numbers = [c["number"] for c in await certify(client, headers, MOTHER, rung)]
    changed = await client.put(f"/api/v1/organizations/{MOTHER}", headers=headers["admin"],
                               json={**{k: v for k, v in body.items() if k != "kvk"},
                                     "subsidiaries": subsidiaries(KEPT, ADDED)})
    assert changed.status_code == 200, changed.text
    return numbers


async def test_register_and_verification_page_read_the_certificates_own_list(
    client, headers, session_maker
) -> None:
    ladder, plus = await certified_then_changed(client, headers)
    for kvk, expected in ((MOTHER, [ladder, plus]), (KEPT, [ladder, plus]),
                          (REMOVED, [ladder, plus]), (ADDED, [])):
        for params in ({"kvk": kvk}, {"q": kvk}):
            found = (await client.get("/api/v1/certificates", params=params)).json()
            assert sorted(c["number"] for c in found["items"]) == sorted(expected), params
    page = (await client.get("/register", params={"q": ADDED})).text
    assert ladder not in page
    page = (await client.get("/register", params={"q": REMOVED})).text
    assert ladder in page
    # The verification page names what the certificate covers, as issued.
    verify = (await client.get(f"/register/{ladder}")).text
    assert f"Dochter {REMOVED}" in verify and REMOVED in verify and KEPT in verify
    assert ADDED not in verify
    async with session_maker() as session:
        rows = (await session.execute(select(CertificateSubsidiary.kvk).order_by(
            CertificateSubsidiary.kvk))).scalars().all()
    assert rows == [KEPT, KEPT, REMOVED, REMOVED]  # both certificates, frozen at issue


async def test_tender_evaluation_and_sroi_read_the_certificates_own_list(client, headers) -> None:
    ladder, _ = await certified_then_changed(client, headers)
    evaluation = await client.post("/api/v1/tender-evaluations", json={
        "deadline": today().isoformat(), "policy": POLICY,
        "bids": [{"bidder": "Toegevoegd", "kvk": ADDED, "price": "1000.00",
                  "certificateNumber": ladder},
                 {"bidder": "Verwijderd", "kvk": REMOVED, "price": "1000.00",
                  "certificateNumber": ladder},
                 {"bidder": "Onbekend", "kvk": "41000004", "price": "1000.00"}]})
    assert evaluation.status_code == 200, evaluation.text
    ranking = {r["bidder"]: r for r in evaluation.json()["ranking"]}
    added, removed = ranking["Toegevoegd"], ranking["Verwijderd"]
    # 10 % PSO 30+ beats 7 % for trede 3: 1000,00 × 10 % = 100,00.
    assert (removed["rung"], removed["pso30Plus"], removed["appliedFrom"], removed["advantage"]) \
        == ("trede3", True, "pso30plus", "100.00")
    assert (added["rung"], added["pso30Plus"], added["advantage"]) == ("none", False, "0.00")
    assert any(ladder in note and ADDED in note for note in added["notes"])

    def sroi(kvk: str) -> dict:
        return {"contractValue": "100000.00", "ratePct": "5", "reductions": {"trede3": "100"},
                "kvk": kvk, "certificateNumber": ladder, "tenderDate": today().isoformat(),
                "contractEnd": today().isoformat()}

    # 100.000,00 × 5 % = 5.000,00; trede 3 takes it all off.
    covered = (await client.post("/api/v1/sroi-calculations", json=sroi(REMOVED))).json()
    assert (covered["rung"], covered["remainingObligation"]) == ("trede3", "0.00")
    later = (await client.post("/api/v1/sroi-calculations", json=sroi(ADDED))).json()
    assert (later["rung"], later["remainingObligation"]) == ("none", "5000.00")


async def test_pso30_certificate_found_by_a_covered_kvk_only(client, headers) -> None:
    await certified_then_changed(client, headers)
    evaluation = await client.post("/api/v1/tender-evaluations", json={
        "deadline": today().isoformat(), "policy": POLICY,
        "bids": [{"bidder": "Verwijderd", "kvk": REMOVED, "price": "1000.00",
                  "declaredRung": "trede1"},
                 {"bidder": "Toegevoegd", "kvk": ADDED, "price": "1000.00",
                  "declaredRung": "trede1"}]})
    assert evaluation.status_code == 200, evaluation.text
    ranking = {r["bidder"]: r for r in evaluation.json()["ranking"]}
    # The 30+ certificate names REMOVED: its 10 % applies (100,00); ADDED keeps 3 % (30,00).
    assert (ranking["Verwijderd"]["pso30Plus"], ranking["Verwijderd"]["advantage"]) == (
        True, "100.00")
    assert (ranking["Toegevoegd"]["pso30Plus"], ranking["Toegevoegd"]["advantage"]) == (
        False, "30.00")


async def tender_won_by(client, headers, kvk: str, number: str, months: int) -> int:
    created = await client.post("/api/v1/tenders", headers=headers["buyer"], json={
        "title": "Schoonmaak stadskantoor", "reference": "SK-2026-3",
        "deadline": today().isoformat(), "policy": POLICY})
    tid = created.json()["id"]
    added = await client.post(f"/api/v1/tenders/{tid}/bids", headers=headers["buyer"], json={
        "bidder": f"Dochter {kvk}", "kvk": kvk, "price": "206000.00",
        "certificateNumber": number})
    assert added.status_code == 201, added.text
    awarded = await client.post(f"/api/v1/tenders/{tid}/award", headers=headers["buyer"], json={
        "bidder": kvk, "contractStart": today().isoformat(),
        "contractEnd": (today() + timedelta(days=30 * months)).isoformat()})
    assert awarded.status_code == 201, awarded.text
    return tid


async def test_a_subsidiary_winner_is_monitored_through_a_suspension(
    client, headers, session_maker, settings, mail_server
) -> None:
    ladder, plus = await certified_then_changed(client, headers)
    tid = await tender_won_by(client, headers, KEPT, ladder, months=12)
    seen = (await client.get(f"/api/v1/tenders/{tid}/monitoring",
                             headers=headers["buyer"])).json()
    # 206.000,00 × 10 % (PSO 30+) = 20.600,00; × 1,5 = 30.900,00 penalty.
    assert seen["award"]["penaltyIfNotMaintained"] == "30900.00"
    assert [(c["number"], c["kvk"], c["coveredKvk"]) for c in seen["award"]["certificates"]] \
        == [(ladder, MOTHER, KEPT), (plus, MOTHER, KEPT)]
    assert seen["checks"][0]["ok"] is True
    evaluation = (await client.get(f"/api/v1/tenders/{tid}/evaluation",
                                   headers=headers["buyer"])).json()
    facts = {f["number"]: f for f in evaluation["registerFacts"]}
    assert facts[ladder]["otherKvks"] == [KEPT, REMOVED]  # as issued, not ADDED

    suspended = await client.post(f"/api/v1/certificates/{ladder}/suspension",
                                  json={"reason": "Onderzoek"}, headers=headers["auditor"])
    assert suspended.status_code == 200, suspended.text
    report = await run_jobs(session_maker, settings, day=today() + timedelta(days=1))
    assert report.results["contract_monitoring"]["events"] == 2  # ladder and its 30+ follower
    seen = (await client.get(f"/api/v1/tenders/{tid}/monitoring",
                             headers=headers["buyer"])).json()
    assert {(e["kind"], e["certificateNumber"], e["penaltyIfNotMaintained"])
            for e in seen["events"]} == {("suspended", ladder, "30900.00"),
                                         ("suspended", plus, "30900.00")}
    assert seen["checks"][0]["ok"] is False

    sent = await mail.send_pending(session_maker,
                                   dataclasses.replace(settings, smtp_url=mail_server.url))
    assert sent.sent >= 2
    alerts = [m for m in mail_server.to(BUYER_EMAIL) if "gegunde trede" in str(m["Subject"])]
    assert len(alerts) == 2
    text = mail_server.text(alerts[0])
    assert "30.900,00" in text and "geschorst" in text and f"Dochter {KEPT}" in text


async def test_a_subsidiary_winner_is_warned_of_expiry_before_the_contract_ends(
    client, headers, session_maker, settings, mail_server
) -> None:
    ladder, = await certified_then_changed(client, headers, rung="trede1")
    tid = await tender_won_by(client, headers, REMOVED, ladder, months=40)
    async with session_maker() as session:
        valid_until = date.fromisoformat((await monitoring.monitoring(
            session, SYSTEM, tid))["award"].certificates[0]["validUntil"])
    report = await run_jobs(session_maker, settings, day=valid_until - timedelta(days=85))
    assert report.results["contract_monitoring"]["events"] == 1
    async with session_maker() as session:
        kinds = (await session.scalars(select(ContractEvent.kind))).all()
    assert kinds == ["expiry_warning"]
    await mail.send_pending(session_maker, dataclasses.replace(settings, smtp_url=mail_server.url))
    [warning] = mail_server.to(BUYER_EMAIL)
    assert "verloopt" in str(warning["Subject"])
    # The day after: expired, no renewal covers REMOVED: the rung is lost.
    await run_jobs(session_maker, settings, day=valid_until + timedelta(days=1))
    async with session_maker() as session:
        kinds = (await session.scalars(select(ContractEvent.kind).order_by(
            ContractEvent.id))).all()
    assert kinds == ["expiry_warning", "expired"]




@pytest.mark.parametrize("winner, events", [(KEPT, []), (REMOVED, [("superseded", "none")])])
async def test_a_renewal_keeps_the_rung_only_for_the_entities_it_covers(
    client, headers, session_maker, winner, events
) -> None:
    """The mother is certified again (trede 1 again) after the award. The renewal names KEPT
    and ADDED, not REMOVED: a contract won by KEPT is fine, one won by REMOVED has lost it."""
    ladder, = await certified_then_changed(client, headers, rung="trede1")
    tid = await tender_won_by(client, headers, winner, ladder, months=12)
    await certify(client, headers, MOTHER, "trede1")
    await monitoring.run_checks(session_maker, today() + timedelta(days=1))
    seen = (await client.get(f"/api/v1/tenders/{tid}/monitoring",
                             headers=headers["buyer"])).json()
    assert [(e["kind"], e["rungNow"]) for e in seen["events"]] == events
    assert seen["checks"][0]["ok"] is (not events)
