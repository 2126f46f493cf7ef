"""PostgreSQL stops and starts again while requests run: 503 meanwhile, recovery by itself.

Runs a real server (uvicorn subprocess) against a private cluster, never the shared one.
"""

from __future__ import annotations

import asyncio
import itertools
import time

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.auth import SYSTEM
from pso.db.engine import make_engine
from pso.db.migrate import upgrade_async
from pso.services import users
from tests.factories import organization
from tests.pg_cluster import bin_dir, private_postgres
from tests.requirements import missing
from tests.servers import start_server

DOWN_SECONDS = 2.0
RECOVERY_SECONDS = 15.0


async def _token(url: str) -> str:
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            _, token = await users.add(session, SYSTEM, "admin", "Beheer")
    finally:
        await engine.dispose()
    return token


def _requests(token: str):
    """Reads, an authenticated read (the token lookup hits the database) and a write."""
    auth = {"Authorization": f"Bearer {token}"}
    kvks = (f"{n:08d}" for n in itertools.count(30000000))
    return [
        lambda c: c.get("/api/v1/certificates"),
        lambda c: c.get("/api/v1/health"),
        lambda c: c.get("/register"),
        lambda c: c.get("/api/v1/audit-events", headers=auth),
        lambda c: c.post("/api/v1/organizations", json=organization(next(kvks)), headers=auth),
    ]


def _check(response: httpx.Response, seen: dict[int, int]) -> None:
    seen[response.status_code] = seen.get(response.status_code, 0) + 1
    assert response.status_code in (200, 201, 503), (response.status_code, response.text)
    if response.status_code == 503:
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == 503 and body["type"] == "urn:pso:problem:service-unavailable"
        assert response.headers["Retry-After"]


def test_wrapped_driver_errors_count_as_database_down() -> None:
    # SQLAlchemy's DBAPIError -> the dialect's Error -> asyncpg's CannotConnectNowError.
    from asyncpg.exceptions import CannotConnectNowError
    from sqlalchemy.exc import DBAPIError

    from pso.errors import _is_connection_error

    driver = RuntimeError("the database system is starting up")
    driver.__cause__ = CannotConnectNowError("the database system is starting up")
    assert _is_connection_error(DBAPIError("SELECT 1", {}, driver))
    assert not _is_connection_error(DBAPIError("SELECT 1", {}, RuntimeError("syntax")))
    assert not _is_connection_error(ValueError("bad input"))


@pytest.mark.anyio
async def test_service_answers_503_while_postgres_is_down_and_recovers() -> None:
    if bin_dir() is None:
        missing("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    try:
        cluster_context = private_postgres()
        cluster = cluster_context.__enter__()
    except (FileNotFoundError, PermissionError, KeyError) as exc:
        missing(f"cannot start a private PostgreSQL: {exc!r}")  # a failure under CI=true
    try:
        await upgrade_async(cluster.url)
        token = await _token(cluster.url)
        with start_server(cluster.url) as base_url:
            await _run_scenario(cluster, base_url, token)
    finally:
        cluster_context.__exit__(None, None, None)


async def _run_scenario(cluster, base_url: str, token: str) -> None:
    calls = _requests(token)
    seen: dict[int, int] = {}
    stop = asyncio.Event()

    async def load(client: httpx.AsyncClient, offset: int) -> None:
        for i in itertools.count(offset):
            if stop.is_set():
                return
            _check(await calls[i % len(calls)](client), seen)
            await asyncio.sleep(0.02)

    async with httpx.AsyncClient(base_url=base_url, timeout=20) as client:
        for call in calls:  # all well before the fault
            assert (await call(client)).status_code in (200, 201)
        loaders = [asyncio.create_task(load(client, n)) for n in range(4)]
        await asyncio.sleep(0.3)
        await asyncio.to_thread(cluster.stop)
        down_at = time.monotonic()
        while time.monotonic() - down_at < DOWN_SECONDS:  # meanwhile: problem details, quickly
            for call in calls:
                started = time.monotonic()
                response = await call(client)
                _check(response, seen)
                assert response.status_code == 503
                assert time.monotonic() - started < 5
            await asyncio.sleep(0.1)
        await asyncio.to_thread(cluster.start)
        # The same server process must come back by itself: no restart.
        deadline = time.monotonic() + RECOVERY_SECONDS
        while True:
            statuses = [(await call(client)).status_code for call in calls]
            if all(s in (200, 201) for s in statuses):
                break
            assert time.monotonic() < deadline, f"not recovered: {statuses}"
            await asyncio.sleep(0.2)
        stop.set()
        await asyncio.gather(*loaders)
    assert seen.get(503, 0) >= len(calls) and seen.get(500, 0) == 0, seen
