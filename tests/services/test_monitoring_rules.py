"""Contract monitoring's rule (pso/services/monitoring.py): the winner's ladder certificate
replaced by one at the same rung or higher keeps the awarded rung; lower is lost.
Both databases."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from certificates.formatting import rung_label
from pso.clock import today
from pso.db.models import ContractCheck, ContractEvent, Tender, TenderAward
from pso.services import monitoring
from tests.api.procurement_support import five_bids, number
from tests.api.test_contract_monitoring import (  # noqa: F401
    URL,
    contract,
    headers,
    mails,
    tender_with_bids,
)

pytestmark = pytest.mark.anyio


async def _renewed_at(
    client,
    headers,  # noqa: F811
    session_maker,
    rung: str,
    ran: dict | None = None,
) -> dict:
    bids = await five_bids(client, headers)
    tid = await tender_with_bids(client, headers, bids)
    awarded = await client.post(
        f"{URL}/{tid}/award", json=contract("10000001"), headers=headers["buyer"]
    )
    assert awarded.status_code == 201, awarded.text
    assert awarded.json()["certificates"][0]["rung"] == "trede1"
    # Alfa (trede1) is certified again: the old certificate is superseded.
    await number(client, headers, "10000001", rung)
    counts = await monitoring.run_checks(session_maker, today() + timedelta(days=1))
    if ran is not None:
        ran.update(counts, tender=tid)
    return (await client.get(f"{URL}/{tid}/monitoring", headers=headers["buyer"])).json()


async def test_a_renewal_at_the_same_rung_keeps_the_awarded_rung(
    client,
    headers,  # noqa: F811
    session_maker,
) -> None:
    seen = await _renewed_at(client, headers, session_maker, "trede1")
    assert seen["events"] == []
    assert seen["checks"][0]["ok"] is True


async def test_a_renewal_at_a_lower_rung_loses_it(
    client,
    headers,  # noqa: F811
    session_maker,
) -> None:
    ran: dict = {}
    seen = await _renewed_at(client, headers, session_maker, "basistrede", ran)
    assert [e["kind"] for e in seen["events"]] == ["superseded"]
    assert seen["checks"][0]["ok"] is False
    # The rung it holds now is named (not "no valid certificate"), and the daily job counts
    # one contract and one event.
    assert f"nu: {rung_label('basistrede')}." in seen["events"][0]["detail"]
    mailed = len(await mails(session_maker))
    assert mailed >= 1
    assert {k: ran[k] for k in ("contracts", "events", "mails")} == {
        "contracts": 1,
        "events": 1,
        "mails": mailed,
    }
    # The /inkoop overview lists a lost rung as an alert, not as an expiry warning.
    async with session_maker() as session:
        found = (await monitoring.overview(session, [ran["tender"]]))[ran["tender"]]
    assert [e.kind for e in found["alerts"]] == ["superseded"] and found["warnings"] == []


def _fact(number: str, kind: str, status: str, kvk: str = "10000003") -> dict:
    return {
        "number": number,
        "kind": kind,
        "rung": "trede3",
        "kvk": kvk,
        "status": status,
        "validFrom": "2026-01-01",
        "validUntil": "2027-12-31",
    }


def test_only_the_valid_pso30plus_certificate_of_the_winner_is_watched_besides_its_bid() -> None:
    """A rung won through PSO 30+ watches the certificate on the bid and the winner's valid
    PSO 30+ certificate: not an expired one, not another ladder certificate, not another
    bidder's."""
    row = {
        "kvk": "10000003",
        "certificateNumber": "L-BID",
        "verified": True,
        "pso30Plus": True,
        "appliedFrom": "pso30plus",
    }
    facts = [
        _fact("L-BID", "ladder", "valid"),
        _fact("P-OLD", "pso30plus", "expired"),
        _fact("P-NOW", "pso30plus", "valid"),
        _fact("L-OTHER", "ladder", "valid"),
        _fact("P-ELSE", "pso30plus", "valid", kvk="10000001"),
    ]
    watched = monitoring._watched(row, {f["number"]: f for f in facts})
    assert [w["number"] for w in watched] == ["L-BID", "P-NOW"]


def test_only_a_valid_verified_certificate_on_the_winning_bid_is_watched() -> None:
    """The certificate named on the winning bid is watched only when it was valid and
    verified at the evaluation: an expired, revoked or suspended one carried no rung, and
    an unverified one cannot be watched here."""
    for status in ("expired", "revoked", "suspended", "superseded"):
        row = {"kvk": "10000003", "certificateNumber": "L-BID", "verified": True}
        assert monitoring._watched(row, {"L-BID": _fact("L-BID", "ladder", status)}) == []
    row = {"kvk": "10000003", "certificateNumber": "L-BID", "verified": False}
    assert monitoring._watched(row, {"L-BID": _fact("L-BID", "ladder", "valid")}) == []
    row = {"kvk": "10000003", "certificateNumber": "L-BID", "verified": True}
    watched = monitoring._watched(row, {"L-BID": _fact("L-BID", "ladder", "valid")})
    assert [w["number"] for w in watched] == ["L-BID"]


async def _awards(session_maker, count: int, certificates: list | None = None) -> list[int]:
    ids = []
    async with session_maker() as session, session.begin():
        for i in range(count):
            tender = Tender(
                title=f"T{i}",
                reference=f"R{i}",
                deadline=date(2026, 1, 1),
                policy={},
                created_by="test",
            )
            session.add(tender)
            await session.flush()
            award = TenderAward(
                tender_id=tender.id,
                bidder="Alfa",
                kvk="10000001",
                position=1,
                rung="trede1",
                pso30plus=False,
                verified=True,
                price=Decimal(100),
                advantage=Decimal(0),
                penalty=Decimal(0),
                certificates=certificates or [],
                contract_start=date(2026, 1, 1),
                contract_end=date(2026, 12, 31),
                awarded_by="test",
            )
            session.add(award)
            await session.flush()
            ids.append(award.id)
    return ids


async def test_the_check_history_lists_the_days_something_changed_newest_first_by_page(
    session_maker,
) -> None:
    """A contract's checks as the buyer reads them: only the days the outcome changed (the
    first included), newest first, a page at a time; another contract's checks, made
    before or after, are not among them."""
    first, second = await _awards(session_maker, 2)
    result = [{"number": "PSO-2026-000001", "status": "valid", "ok": True, "note": ""}]
    lost = [{**result[0], "status": "suspended", "ok": False, "note": "geschorst"}]
    # The first contract changed on the 3rd and the 5th; the second every day.
    series = {
        first: (result, result, lost, lost, result),
        second: (result, lost, result, lost, result),
    }
    async with session_maker() as session, session.begin():
        for day in range(1, 6):  # the other contract's checks lie around them
            for award_id in (second, first):
                outcome = series[award_id][day - 1]
                session.add(
                    ContractCheck(
                        award_id=award_id,
                        day=date(2026, 3, day),
                        ok=all(r["ok"] for r in outcome),
                        results=outcome,
                    )
                )
    expected = {first: (3, [5, 3], [1]), second: (5, [5, 4], [3, 2])}
    for award_id in (first, second):
        async with session_maker() as session:
            page_one, total = await monitoring.check_changes(session, award_id, page_size=2)
            page_two, _ = await monitoring.check_changes(session, award_id, page=2, page_size=2)
        days_one, days_two = [c.day.day for c in page_one], [c.day.day for c in page_two]
        assert (total, days_one, days_two) == expected[award_id]
        assert {c.award_id for c in page_one + page_two} == {award_id}


async def test_a_look_checks_every_watched_certificate_and_keeps_one_check_a_day(
    client,
    headers,  # noqa: F811
    session_maker,
) -> None:
    """A renewal that keeps the rung of one watched certificate does not end the look: the
    next one, gone from the register, is still an event. One check per contract and day: a
    second look that day replaces it; a look at an earlier day is a check of its own."""
    renewed = await number(client, headers, "10000001", "trede1")
    watched = [
        {
            "number": f"PSO-2025-00000{i}",
            "kvk": "10000001",
            "coveredKvk": "10000001",
            "kind": kind,
            "rung": "trede1",
            "validUntil": "2026-12-31",
        }
        for i, kind in ((1, "ladder"), (2, "pso30plus"))
    ]
    [award_id] = await _awards(session_maker, 1, certificates=watched)
    day = today()
    async with session_maker() as session, session.begin():
        award = await session.get(TenderAward, award_id)
        check, events = await monitoring.check_award(session, award, day)
        assert [r["ok"] for r in check.results] == [True, False]
        assert renewed in check.results[0]["note"]
        assert [(e.kind, e.certificate_number) for e in events] == [("revoked", "PSO-2025-000002")]
    for later in (2, 2, 1):
        async with session_maker() as session, session.begin():
            award = await session.get(TenderAward, award_id)
            await monitoring.check_award(session, award, day + timedelta(days=later))
    async with session_maker() as session:
        checks = list(await session.scalars(select(ContractCheck).order_by(ContractCheck.day)))
    assert [(c.day - day).days for c in checks] == [0, 1, 2]


async def test_the_overview_lists_lost_certificates_as_alerts_and_expiry_as_a_warning(
    session_maker,
) -> None:
    [award_id] = await _awards(session_maker, 1)
    async with session_maker() as session, session.begin():
        award = await session.get(TenderAward, award_id)
        for i, kind in enumerate(("expired", "expiry_warning", "suspended", "revoked")):
            session.add(
                ContractEvent(
                    award_id=award_id,
                    day=date(2026, 3, 1),
                    kind=kind,
                    certificate_number=f"PSO-2026-00000{i}",
                    kvk="10000001",
                    rung_won="trede1",
                    rung_now="none",
                    detail="-",
                    penalty=None,
                    recipients=0,
                )
            )
        tender_id = award.tender_id
    async with session_maker() as session:
        found = (await monitoring.overview(session, [tender_id]))[tender_id]
    assert [e.kind for e in found["alerts"]] == ["expired", "suspended", "revoked"]
    assert [e.kind for e in found["warnings"]] == ["expiry_warning"]


async def test_each_contract_keeps_its_own_check_of_the_day(session_maker) -> None:
    """Two contracts looked at on the same day, in either order of their ids: each gets a
    check of its own (one does not replace the other's)."""
    first, second = await _awards(session_maker, 2)
    third, fourth = await _awards(session_maker, 2)
    for award_id in (second, first, third, fourth):
        async with session_maker() as session, session.begin():
            award = await session.get(TenderAward, award_id)
            await monitoring.check_award(session, award, today())
    async with session_maker() as session:
        checks = list(await session.scalars(select(ContractCheck)))
    assert sorted(c.award_id for c in checks) == sorted((first, second, third, fourth))
