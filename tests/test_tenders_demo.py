"""The demo database has an open tender of the demo procurement team, and an awarded one
whose contract runs under monitoring, its dates told consistently from the demo's day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from pso import clock
from pso.app import create_app
from pso.cli.database import prepare_database
from pso.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture
async def demo(tmp_path: Path):
    """A client on a new demo database and the demo buyer's headers."""
    settings = Settings.from_env(
        {"PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}", "PSO_ENV": "test"}
    )
    tokens = await prepare_database(settings, demo=True)
    buyer = {"Authorization": f"Bearer {next(t for k, t in tokens.items() if 'Inkoop' in k)}"}
    async with AsyncTestClient(app=create_app(settings)) as client:
        listed = (await client.get("/api/v1/tenders", headers=buyer)).json()
        assert listed["total"] == 3  # with the social-return contract (social_return_demo)
        yield client, buyer, {t["title"].split()[0]: t for t in listed["items"]}


async def test_demo_tender_shows_every_register_outcome(demo) -> None:
    client, buyer, tenders = demo
    assert tenders["Groenonderhoud"]["bidCount"] == 6
    tid = tenders["Groenonderhoud"]["id"]
    body = (await client.get(f"/api/v1/tenders/{tid}/evaluation", headers=buyer)).json()
    assert body["provisional"] is True
    # Percentages 1/2/3/5/7 % per rung, PSO 30+ 10 %:
    #   Werkbedrijf trede3 + PSO 30+: 192750.00 - 10 % 19275.00 = 173475.00
    #   Groen & Schoon trede2:         184500.00 -  5 %  9225.00 = 175275.00
    #   De Linde declared trede2:      186000.00 -  5 %  9300.00 = 176700.00
    #   Bakkerij, revoked:             179900.00
    #   Combinatie aspirant + trede2 -> aspirant: 183000.00 - 1 % 1830.00 = 181170.00
    #   Schoonmaak, expired:           181250.00
    assert [(r["kvk"], r["rung"], r["verified"], r["fictitiousPrice"])
            for r in body["ranking"]] == [
        ("23456789", "trede3", True, "173475.00"),
        ("12345678", "trede2", True, "175275.00"),
        ("90123456", "trede2", False, "176700.00"),
        ("34567890", "none", True, "179900.00"),
        ("56789012", "aspirant", True, "181170.00"),
        ("45678901", "none", True, "181250.00"),
    ]


async def test_demo_contract_is_awarded_and_watched(demo) -> None:
    client, buyer, tenders = demo
    tid = tenders["Schoonmaak"]["id"]
    day = clock.today()
    body = (await client.get(f"/api/v1/tenders/{tid}/evaluation", headers=buyer)).json()
    deadline = date.fromisoformat(body["deadline"])
    assert body["provisional"] is False and deadline == day - timedelta(days=90)
    # Winner trede2 (5 %): 412000.00 - 20600.00 = 391400.00; declared trede1 (3 %):
    # 405000.00 - 12150.00 = 392850.00; no certificate: 398500.00.
    assert [(r["kvk"], r["rung"], r["verified"], r["fictitiousPrice"])
            for r in body["ranking"]] == [
        ("13572468", "trede2", True, "391400.00"),
        ("35792468", "trede1", False, "392850.00"),
        ("45678901", "none", True, "398500.00"),
    ]
    watch = (await client.get(f"/api/v1/tenders/{tid}/monitoring", headers=buyer)).json()
    award = watch["award"]
    assert watch["state"] == "active" and watch["events"] == []
    assert (award["bidder"], award["position"], award["rung"], award["verified"]) == (
        "Schoonmaakgroep Domstad B.V.", 1, "trede2", True)
    assert Decimal(award["penaltyIfNotMaintained"]) == Decimal("30900.00")  # 1.5 × 20600
    # Deadline, then the evaluation and award on one day, then the contract, then today.
    awarded = datetime.fromisoformat(award["awardedAt"]).date()
    assert body["evaluatedAt"][:10] == awarded.isoformat()
    start, end = date.fromisoformat(award["contractStart"]), date.fromisoformat(award["contractEnd"])
    assert deadline < awarded < start < day < end
    # The winner's certificate was valid on the deadline and is today.
    [watched] = award["certificates"]
    cert = (await client.get(f"/api/v1/certificates/{watched['number']}")).json()
    assert cert["status"] == "valid" and date.fromisoformat(cert["validFrom"]) < deadline
    # The daily job's look on every contract day before today, all in order.
    assert [c["day"] for c in watch["checks"]] == [
        (day - timedelta(days=n)).isoformat() for n in range(1, (day - start).days + 1)]
    assert all(c["ok"] for c in watch["checks"])
