"""The page a voucher's QR code opens shows its live status, and nothing for a wrong code."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from pso.app import create_app
from pso.db.engine import make_engine
from pso.db.models import Voucher
from pso.db.setup import prepare_database
from pso.settings import Settings
from pso.voucher_codes import display

pytestmark = pytest.mark.anyio


async def test_voucher_page_shows_status(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'v.sqlite3'}", "PSO_ENV": "test"}
    )
    await prepare_database(settings, demo=True)
    engine = make_engine(settings.database_url)
    async with engine.connect() as conn:
        codes = {row.status: row.code for row in (await conn.execute(
            select(Voucher.code, Voucher.status))).all()}
    await engine.dispose()
    async with AsyncTestClient(app=create_app(settings)) as client:
        issued = await client.get(f"/vouchers/{display(codes['issued'])}")
        assert issued.status_code == 200 and "Uitgegeven" in issued.text
        assert "€" in issued.text
        redeemed = await client.get(f"/vouchers/{codes['redeemed'].lower()}")
        assert "Verzilverd" in redeemed.text
        cancelled = await client.get(f"/vouchers/{codes['cancelled']}")
        assert "Ingetrokken" in cancelled.text
        wrong = codes["issued"][:-1] + ("0" if codes["issued"][-1] != "0" else "1")
        unknown = await client.get(f"/vouchers/{wrong}")
        assert unknown.status_code == 404 and "Niet gevonden" in unknown.text
        hostile = await client.get("/vouchers/%3Cscript%3Ealert(1)%3C")
        assert hostile.status_code == 404 and "<script>" not in hostile.text
