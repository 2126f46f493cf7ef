"""Several instances against one PostgreSQL: approvals through two servers at once.

One instance is a plain uvicorn process (tests/servers.py), the other is `pso serve
--workers 2` as production runs it, with PDF worker processes recycled every 3 renders, so
three server processes issue certificates concurrently.
Numbers must be unique and gap-free, and every certificate complete (its PDF, its hash,
its audit entry). The voucher budget across two servers is tested in
test_voucher_concurrency.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pso.auth import SYSTEM, Actor
from pso.services import certification, organizations, users
from tests.certificate_checks import check_certificates_consistent
from tests.conftest import empty_tables
from tests.factories import submission
from tests.requirements import missing
from tests.servers import _stop, _wait_until_live, free_port, start_server

pytestmark = pytest.mark.anyio
PSO = str(Path(sys.executable).parent / "pso")
APPROVALS = 12  # each issues a ladder and a PSO 30+ certificate


@contextlib.contextmanager
def pso_serve(database_url: str, workers: int) -> Iterator[str]:
    """`pso serve --workers N` on a free loopback port; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PSO_ENV": "test", "PSO_DATABASE_URL": database_url,
           "PSO_RATE_LIMIT": "0", "PSO_LOG_LEVEL": "WARNING",
           # As in production: PDFs rendered in a recycled worker process per server process.
           "PSO_PDF_WORKERS": "1", "PSO_PDF_RENDERS_PER_WORKER": "3"}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [PSO, "serve", "--no-demo", "--port", str(port), "--workers", str(workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            if not _wait_until_live(process, base_url, 60):
                log.seek(0)
                raise RuntimeError(f"pso serve did not start:\n{log.read().decode()[-3000:]}")
            yield base_url
        finally:
            _stop(process)


@pytest.fixture
async def postgres_url(migrated_urls: dict[str, str]) -> str:
    if "postgres" not in migrated_urls:
        missing("no PostgreSQL server answers (set PSO_TEST_POSTGRES_URL)")
    await empty_tables(migrated_urls["postgres"])
    return migrated_urls["postgres"]


@pytest.fixture
async def pg_session_maker(postgres_url: str):
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from pso.db.engine import make_engine

    engine = make_engine(postgres_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def _submitted_assessments(session_maker) -> tuple[list[int], str]:
    async with session_maker() as session, session.begin():
        await organizations.create(session, SYSTEM, {"kvk": "60000001", "name": "Schaal B.V.",
                                                     "municipality_code": "GM0200",
                                                     "kind": "company"})
        ids = []
        for _ in range(APPROVALS):
            assessment = await certification.create(session, SYSTEM, "60000001", submission(7))
            await certification.submit(session, SYSTEM, assessment.id)
            await certification.review(session, Actor(None, "beoordelaar", "auditor"),
                                       assessment.id)
            await certification.complete_review(session, Actor(None, "beoordelaar", "auditor"),
                                                assessment.id)
            ids.append(assessment.id)
        _, token = await users.add(session, SYSTEM, "auditor", "Auditor")
    return ids, token


async def test_two_instances_number_certificates_without_gaps(
    postgres_url, pg_session_maker
) -> None:
    ids, token = await _submitted_assessments(pg_session_maker)
    headers = {"Authorization": f"Bearer {token}"}
    with start_server(postgres_url) as one, pso_serve(postgres_url, workers=2) as two:
        limits = httpx.Limits(max_connections=APPROVALS, max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=120, limits=limits) as http:
            responses = await asyncio.gather(*(
                http.post(f"{(one, two)[i % 2]}/api/v1/assessments/{aid}/decision",
                          json={"outcome": "approved"}, headers=headers)
                for i, aid in enumerate(ids)))
    assert [r.status_code for r in responses] == [200] * APPROVALS, [r.text for r in responses]
    counts = await check_certificates_consistent(pg_session_maker)
    assert counts["certificates"] == 2 * APPROVALS and counts["approved"] == APPROVALS
