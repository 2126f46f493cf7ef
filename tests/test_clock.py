"""PSO_TODAY fixes the service's day (development and tests): the app applies it while it
runs, every rule that asks pso.clock.today() sees it, and the real date comes back after."""

from __future__ import annotations

from datetime import date

import pytest
from litestar.testing import AsyncTestClient

from pso import clock
from pso.api.score import EXAMPLE
from pso.app import create_app
from pso.settings import Settings

pytestmark = pytest.mark.anyio


async def test_the_app_runs_on_pso_today(database_url: str) -> None:
    real = clock.today()
    settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": database_url,
                                  "PSO_RATE_LIMIT": "0", "PSO_TODAY": "2030-01-02"})
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert clock.today() == date(2030, 1, 2)
        scored = await client.post("/api/v1/score", json={
            k: v for k, v in EXAMPLE.items() if k != "asOf"})
        assert scored.status_code == 200, scored.text
        assert scored.json()["asOf"] == "2030-01-02"
        register = await client.get("/api/v1/certificates", params={"status": "valid"})
        assert register.status_code == 200
    assert clock.today() == real


def test_fixed_today_fixture(fixed_today) -> None:
    fixed_today(date(2027, 2, 28))
    assert clock.today() == date(2027, 2, 28)
    with clock.fixed(date(2028, 2, 29)):
        assert clock.today() == date(2028, 2, 29)
    assert clock.today() == date(2027, 2, 28)


def test_fixture_left_no_fixed_day_behind() -> None:
    assert clock.fixed_day() is None
