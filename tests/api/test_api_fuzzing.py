"""Property-based fuzzing of every operation in /api/v1/openapi.json (schemathesis).

A real server (uvicorn subprocess) on a scratch SQLite database with the demo data, so
identifiers like KvK 12345678 or certificate numbers exist. Each operation gets valid and
invalid requests, sent with a token of a role that may call it, and every answer must be:
no 5xx, the documented schema (errors included: problem details), and
application/problem+json with type/status/title/detail for every error, its texts Dutch
sentences (tests/wording.py).

Bounded for CI by a per-operation example budget (PSO_FUZZ_EXAMPLES, default 8) and no
shrinking: every operation is fuzzed on every run, however slow the machine (no wall-clock
budget that could skip the last operations).
Schemathesis' pytest fixture loader does not work with pytest 9, so the document is read
from the app in-process at collection time and the cases are sent to the live server.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from litestar.testing import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.app import create_app
from pso.auth import SYSTEM
from pso.cli.database import prepare_database
from pso.db.engine import make_engine
from pso.services import users
from pso.settings import Settings
from tests.servers import start_server
from tests.wording import unstyled

# Longer local runs: PSO_FUZZ_EXAMPLES=200 make test PYTEST_ARGS=...
EXAMPLES_PER_OPERATION = int(os.environ.get("PSO_FUZZ_EXAMPLES", "8"))

# Which role may call what (first match wins); everything else is tried as admin. Paths
# are the document's, relative to its server /api/v1.
ROLE_BY_PATH = [
    ("/assessments/{assessment_id}/decision", "auditor"),
    ("/certificates/{number}/", "auditor"),
    ("/vouchers/{code}/redemption", "auditor"),
    ("/vouchers", "municipality"),
    ("/voucher-schemes", "municipality"),
    ("/tenders", "procurement"),
    ("/organizations/{kvk}/assessments", "company"),
    ("/assessments", "company"),
]


async def _tokens(url: str) -> dict[str, str]:
    engine = make_engine(url)
    tokens = {}
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            for role, extra in (("admin", {}), ("auditor", {}), ("procurement", {}),
                                ("municipality", {"municipality_code": "GM0200"}),
                                ("company", {"kvk": "12345678"})):
                _, tokens[role] = await users.add(session, SYSTEM, role, f"fuzz {role}", **extra)
    finally:
        await engine.dispose()
    return tokens


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    url = f"sqlite+aiosqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'fuzz.sqlite3'}"
    settings_ = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": url})
    asyncio.run(prepare_database(settings_, demo=True))
    tokens = asyncio.run(_tokens(url))
    with start_server(url) as base_url:
        yield base_url, tokens


def _document() -> dict:
    # The document as the app serves it, fetched in-process so pytest can list the
    # operations at collection time (serving it touches no database).
    app = create_app(Settings.from_env({"PSO_ENV": "test",
                                        "PSO_DATABASE_URL": "sqlite+aiosqlite:///:memory:"}))
    return TestClient(app).get("/api/v1/openapi.json").json()


schema = schemathesis.openapi.from_dict(_document())


def problem_details_on_errors(ctx, response, case) -> None:
    """Every 4xx/5xx is RFC 9457 problem details, whatever the schema says."""
    if response.status_code < 400:
        return
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith("application/problem+json"), (
        f"{response.status_code} with Content-Type {content_type!r}")
    body = response.json()
    missing = {"type", "status", "title", "detail"} - set(body)
    assert not missing, f"problem details without {sorted(missing)}: {body}"
    assert body["status"] == response.status_code
    # Dutch in one style, whatever library found the fault (pydantic, msgspec, our own rules).
    assert not unstyled(body), f"error texts not in the house style: {unstyled(body)}"


def role_for(path: str) -> str:
    return next((role for prefix, role in ROLE_BY_PATH if path.startswith(prefix)), "admin")


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],  # no shrinking: the failure is printed as is
          suppress_health_check=list(HealthCheck))
def test_every_operation(case, fuzz_server) -> None:
    base_url, tokens = fuzz_server
    headers = {"Authorization": f"Bearer {tokens[role_for(case.path)]}"}
    case.call_and_validate(
        base_url=base_url + schema.raw_schema["servers"][0]["url"], headers=headers, timeout=30,
        checks=[not_a_server_error, response_schema_conformance, problem_details_on_errors])
