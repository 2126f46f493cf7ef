"""The page a voucher's QR code opens shows its live status, and nothing for a wrong code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.app import create_app
from pso.cli.database import prepare_database
from pso.clock import today
from pso.db.engine import make_engine
from pso.db.models import Voucher
from pso.services.voucher_status import status_on
from pso.settings import Settings
from pso.voucher_codes import display

pytestmark = pytest.mark.anyio


async def test_voucher_page_shows_status(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'v.sqlite3'}", "PSO_ENV": "test"}
    )
    await prepare_database(settings, demo=True)
    engine = make_engine(settings.database_url)
    day = today()
    async with async_sessionmaker(engine)() as session:
        # Every status the demo data has, by the status a visitor sees today (an `issued`
        # row past its expiry date is `expired`), in a stable order.
        vouchers = (await session.scalars(select(Voucher).order_by(Voucher.id))).all()
        codes: dict[str, str] = {}
        for voucher in vouchers:
            codes.setdefault(status_on(voucher, day), voucher.code)
    await engine.dispose()
    assert {"issued", "redeemed", "cancelled", "expired"} <= set(codes), codes
    async with AsyncTestClient(app=create_app(settings)) as client:
        for status, label in (("issued", "Uitgegeven"), ("redeemed", "Verzilverd"),
                              ("cancelled", "Ingetrokken"), ("expired", "Verlopen")):
            page = await client.get(f"/vouchers/{display(codes[status])}")
            assert page.status_code == 200
            # The verdict itself, not the "Uitgegeven op" line every voucher page prints.
            shown = re.search(r'<p class="verdict-label">([^<]*)</p>', page.text).group(1)
            assert shown == label, (status, shown)
            assert "€" in page.text
        lower = await client.get(f"/vouchers/{codes['redeemed'].lower()}")
        assert lower.status_code == 200 and "Verzilverd" in lower.text
        wrong = codes["issued"][:-1] + ("0" if codes["issued"][-1] != "0" else "1")
        unknown = await client.get(f"/vouchers/{wrong}")
        assert unknown.status_code == 404 and "Niet gevonden" in unknown.text
        hostile = await client.get("/vouchers/%3Cscript%3Ealert(1)%3C")
        assert hostile.status_code == 404 and "<script>" not in hostile.text
