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


async def _renewed_at(client, headers, session_maker, rung: str,  # noqa: F811
                      ran: dict | None = None) -> dict:
    bids = await five_bids(client, headers)
    tid = await tender_with_bids(client, headers, bids)
    awarded = await client.post(f"{URL}/{tid}/award", json=contract("10000001"),
                                headers=headers["buyer"])
    assert awarded.status_code == 201, awarded.text
    assert awarded.json()["certificates"][0]["rung"] == "trede1"
    # Alfa (trede1) is certified again: the old certificate is superseded.
    await number(client, headers, "10000001", rung)
    counts = await monitoring.run_checks(session_maker, today() + timedelta(days=1))
    if ran is not None:
        ran.update(counts, tender=tid)
    return (await client.get(f"{URL}/{tid}/monitoring", headers=headers["buyer"])).json()


async def test_a_renewal_at_the_same_rung_keeps_the_awarded_rung(client, headers,  # noqa: F811
                                                                 session_maker) -> None:
    seen = await _renewed_at(client, headers, session_maker, "trede1")
    assert seen["events"] == []
    assert seen["checks"][0]["ok"] is True


async def test_a_renewal_at_a_lower_rung_loses_it(client, headers,  # noqa: F811
                                                  session_maker) -> None:
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
        "contracts": 1, "events": 1, "mails": mailed}
    # The /inkoop overview lists a lost rung as an alert, not as an expiry warning.
    async with session_maker() as session:
        found = (await monitoring.overview(session, [ran["tender"]]))[ran["tender"]]
    assert [e.kind for e in found["alerts"]] == ["superseded"] and found["warnings"] == []
