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
    assert terms["obligation"] == "14800.00"  # 5 % of 296.000
    assert terms["kvk"] == "12345678" and terms["model"]["id"] == "oost-nederland-v05"
    listed = (await client.get(f"/api/v1/tenders/{tid}/social-return/lines",
                               headers=buyer)).json()
    assert [i["status"] for i in listed["items"]] == [
        "accepted", "accepted", "accepted", "rejected", "submitted"]
    # 30.000 × 32/36 × 90/365 = 6.575,34; 10.000 × 76/365 = 2.082,19; 750 × 12 × 60/365 = 1.479,45
    assert [i["value"] for i in listed["items"][:3]] == ["6575.34", "2082.19", "1479.45"]
    assert listed["accepted"] == "10136.98"
    assert listed["items"][3]["reason"] == "Geen leerovereenkomst bijgevoegd."
    start = date.fromisoformat(terms["periodStart"])
    assert start < date.fromisoformat(listed["items"][0]["end"]) < date.today()
