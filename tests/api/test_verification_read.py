"""The verification page's look-up (issue 26): Core rows in one statement, the same public view
as the ORM path, and on PostgreSQL one round trip (no pre-ping, no BEGIN/ROLLBACK)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, update

from benchmarks.register_data import Row, insert
from pso.app import create_app
from pso.clock import today
from pso.db.engine import make_sqlite_reader
from pso.db.models import Certificate, Suspension
from pso.errors import NotFound
from pso.services import register
from tests.api.test_register_search import row
from tests.conftest import BACKENDS

pytestmark = pytest.mark.anyio
TODAY = today()
ROWS = [
    row(1, "Coöperatie De Groene Schakel U.A.", municipality_code="GM0344", rung="trede3"),
    row(2, "Bakkerij Österreich & Zonen", revoked_on=TODAY - timedelta(days=3)),
    row(3, "IJzerwaren Zuid", valid_until=TODAY - timedelta(days=1)),
    row(4, "Schakel Techniek", kind="pso30plus", superseded_from=TODAY - timedelta(days=10)),
    row(5, "Groen en Schoon Hoveniers B.V."),
]
# Certificate 5: suspended twice before (closed periods), suspended again now.
PERIODS = [(TODAY - timedelta(days=300), TODAY - timedelta(days=250)),
           (TODAY - timedelta(days=100), TODAY - timedelta(days=90)),
           (TODAY - timedelta(days=20), None)]
SUBSIDIARIES = [{"kvk": "70000011", "name": "Schakel Zuid B.V."},
                {"kvk": "70000012", "name": "Schakel Ëde"}]


@pytest.fixture
async def rows(database_url, session_maker) -> list[Row]:
    await insert(session_maker.kw["bind"], ROWS)
    async with session_maker() as session, session.begin():
        for start, end in PERIODS:
            session.add(Suspension(certificate_id=5, start=start, end=end, reason="Controle"))
        await session.execute(update(Certificate).where(Certificate.id == 1)
                              .values(subsidiaries=SUBSIDIARIES))
    return ROWS


def days() -> list[date]:
    return [TODAY, TODAY - timedelta(days=95), TODAY - timedelta(days=260), TODAY + timedelta(days=5)]


async def test_public_view_is_the_orm_view(rows, session_maker, database_url) -> None:
    engine = session_maker.kw["bind"]
    reader = make_sqlite_reader(database_url)
    try:
        for r in rows:
            async with session_maker() as session:
                orm = await register.find(session, r.number)
            core = await register.find_public(engine, r.number)
            now = register.find_public_now(reader, r.number) if reader else core
            for day in days():
                expected = register.summary(orm, day)
                assert register.summary(core, day) == expected
                assert register.summary(now, day) == expected
        today_view = register.summary(await register.find_public(engine, rows[4].number), TODAY)
        assert today_view["status"] == "suspended" and today_view["suspendedSince"] == PERIODS[2][0]
        first = await register.find_public(engine, rows[0].number)
        assert first.subsidiaries == SUBSIDIARIES and first.organization.municipality_code == "GM0344"
        for unknown in ("PSO-2020-000999", "nonsense"):
            with pytest.raises(NotFound):
                await register.find_public(engine, unknown)
            if reader:
                with pytest.raises(NotFound):
                    register.find_public_now(reader, unknown)
    finally:
        if reader:
            reader.dispose()


# The round trips of PostgreSQL; SQLite reads through the synchronous reader.
@pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "postgres"])
async def test_verification_page_is_one_round_trip_on_postgres(rows, settings, backend) -> None:
    from litestar.testing import AsyncTestClient

    app = create_app(settings)
    sent: list[str] = []

    @event.listens_for(app.state.engine.sync_engine, "connect")
    def _log(dbapi_connection, _record) -> None:
        dbapi_connection.driver_connection.add_query_logger(lambda r: sent.append(r.query))

    async with AsyncTestClient(app=app) as client:
        first = await client.get(f"/register/{rows[4].number}")  # connects, prepares
        assert first.status_code == 200 and "Geschorst sinds" in first.text
        sent.clear()
        for r in rows:
            page = await client.get(f"/register/{r.number}")
            assert page.status_code == 200 and r.number in page.text
    # Prepared statements are not logged; what was sent besides them were the pre-ping
    # (BEGIN; ;ROLLBACK) and the transaction around the SELECT (BEGIN; ROLLBACK).
    assert sent == []
