"""Contract monitoring's rule (pso/services/monitoring.py): the winner's ladder certificate
replaced by one at the same rung or higher keeps the awarded rung; lower is lost.
Both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from certificates.formatting import rung_label
from pso.clock import today
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
