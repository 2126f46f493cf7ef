"""The health check reads without a write transaction: it answers 200 while writers hold the
database, so a load balancer never takes the service out during a burst of writes. Real
servers and real concurrent connections (the in-process test client runs one request at a
time). The two tests of a backend share its server (tests/servers.py `SharedServers`): they
are about probes answering during writes, not about a fresh process."""

from __future__ import annotations

import asyncio
import sqlite3

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.factories import organization
from tests.servers import running_servers_fixture, servers_fixture  # noqa: F401

pytestmark = pytest.mark.anyio

PROBES, WRITES = 64, 16


@pytest.fixture
def base(servers) -> str:
    """The base URL of this backend's server, on this test's (emptied) database."""
    [url] = servers(1)
    return url


def limits() -> httpx.Limits:
    return httpx.Limits(max_connections=PROBES + WRITES)


async def probe_all(http: httpx.AsyncClient) -> list[int]:
    answers = await asyncio.gather(*(http.get("/api/v1/health") for _ in range(PROBES)))
    return [a.status_code for a in answers]


async def test_health_answers_while_a_writer_holds_the_database(
        database_url, session_maker, base) -> None:
    async with httpx.AsyncClient(base_url=base, limits=limits(), timeout=120) as http:
        if database_url.startswith("sqlite"):
            # Another connection holds SQLite's one write lock while the probes run.
            holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            holder.execute("DELETE FROM organizations WHERE kvk = '00000000'")
            probes = asyncio.ensure_future(probe_all(http))
            # Released when every probe answered; at the latest after 15 s, so that
            # probes queued behind the lock (the fault guarded against) end as 503s.
            await asyncio.wait({probes}, timeout=15)
            holder.execute("ROLLBACK")
            holder.close()
            statuses = await probes
        else:
            async with session_maker() as session, session.begin():
                await session.execute(
                    text("LOCK TABLE organizations IN ACCESS EXCLUSIVE MODE"))
                statuses = await probe_all(http)
    assert statuses == [200] * PROBES


async def test_health_survives_64_probes_during_16_concurrent_writes(
        make_token, base) -> None:
    admin = await make_token("admin")
    async with httpx.AsyncClient(base_url=base, limits=limits(), timeout=120) as http:
        writes = [http.post("/api/v1/organizations", json=organization(f"5{i:07d}"),
                            headers=admin) for i in range(WRITES)]
        probes = [http.get("/api/v1/health") for _ in range(PROBES)]
        answers = await asyncio.gather(*writes, *probes)
    assert [a.status_code for a in answers[:WRITES]] == [201] * WRITES
    assert [a.status_code for a in answers[WRITES:]] == [200] * PROBES
