"""The demo database has an awarded contract with social-return terms and a first quarter of
lines (three accepted, one rejected, one waiting), valued by the engine."""

from __future__ import annotations

from datetime import date

import pytest

from tests.test_tenders_demo import demo  # noqa: F401

pytestmark = pytest.mark.anyio


async def test_demo_contract_has_terms_and_a_quarter_of_lines(demo) -> None:  # noqa: F811
    client, buyer, tenders = demo
    tid = tenders["Onderhoud"]["id"]
    terms = (await client.get(f"/api/v1/tenders/{tid}/social-return", headers=buyer)).json()
    # 10 % of 296.000; the winner was certified at trede 2 before the award: 50 % off.
    assert (terms["obligation"], terms["rung"], terms["reductionPct"], terms["reduction"],
            terms["remainingObligation"]) == ("29600.00", "trede2", "50.00", "14800.00",
                                              "14800.00")
    assert terms["kvk"] == "12345678" and terms["model"]["id"] == "oost-nederland-v05"
    listed = (await client.get(f"/api/v1/tenders/{tid}/social-return/lines",
                               headers=buyer)).json()
    assert [i["status"] for i in listed["items"]] == [
        "accepted", "accepted", "accepted", "rejected", "submitted", "accepted", "accepted"]
    # 30.000 × 32/36 × 90/365 = 6.575,34; 10.000 × 76/365 = 2.082,19; 750 × 12 × 60/365 = 1.479,45
    # 750 × 12 × 30/365 = 739,73; 10.000 × 30/365 = 821,92
    values = [i["value"] for i in listed["items"]]
    assert values[:3] + values[5:] == ["6575.34", "2082.19", "1479.45", "739.73", "821.92"]
    assert listed["accepted"] == "11698.63"
    assert listed["items"][3]["reason"] == "Geen leerovereenkomst bijgevoegd."
    start = date.fromisoformat(terms["periodStart"])
    assert start < date.fromisoformat(listed["items"][0]["end"]) < date.today()
