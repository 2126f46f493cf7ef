"""The demo database has an open tender of the demo procurement team."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from pso.app import create_app
from pso.db.setup import prepare_database
from pso.settings import Settings

pytestmark = pytest.mark.anyio


async def test_demo_tender_shows_every_register_outcome(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}", "PSO_ENV": "test"}
    )
    tokens = await prepare_database(settings, demo=True)
    buyer = {"Authorization": f"Bearer {next(t for k, t in tokens.items() if 'Inkoop' in k)}"}
    async with AsyncTestClient(app=create_app(settings)) as client:
        listed = (await client.get("/api/v1/tenders", headers=buyer)).json()
        assert listed["total"] == 1 and listed["items"][0]["bidCount"] == 6
        tid = listed["items"][0]["id"]
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
