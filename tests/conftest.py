"""Shared fixtures: the app on SQLite and, when a server answers, on PostgreSQL.

Each backend gets a fresh database migrated once per session; tables are emptied before
every test. PSO_REQUIRE_POSTGRES=1 turns a missing PostgreSQL into a failure (CI).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.app import create_app
from pso.auth import SYSTEM
from pso.db.engine import make_engine
from pso.db.migrate import upgrade
from pso.db.models import Base
from pso.services import users
from pso.settings import Settings
from tests.databases import postgres_admin_url, temporary_postgres
from tests.mail_server import mail_server  # noqa: F401  (the real SMTP server fixture)

# Production is the default without PSO_ENV (issue 20.6); the CLI commands and servers the
# tests start run as tests unless a test asks for production itself.
os.environ.setdefault("PSO_ENV", "test")


def backends() -> list[str]:
    found = ["sqlite"]
    if postgres_admin_url():
        found.append("postgres")
    elif os.environ.get("PSO_REQUIRE_POSTGRES") == "1":
        raise RuntimeError("PSO_REQUIRE_POSTGRES=1 but no PostgreSQL server answers")
    return found


BACKENDS = backends()


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    sqlite_file = Path(tmp_path_factory.mktemp("db")) / "test.sqlite3"
    urls = {"sqlite": f"sqlite+aiosqlite:///{sqlite_file}"}
    with contextlib.ExitStack() as stack:
        if "postgres" in BACKENDS:
            urls["postgres"] = stack.enter_context(temporary_postgres("pso_test"))
        for url in urls.values():
            upgrade(url)
        yield urls


async def empty_tables(url: str) -> None:
    engine = make_engine(url)
    names = [t.name for t in reversed(Base.metadata.sorted_tables)]
    try:
        async with engine.begin() as conn:
            if url.startswith("postgresql"):
                await conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
            else:
                for name in names:
                    await conn.execute(text(f"DELETE FROM {name}"))
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def database_url(backend: str, migrated_urls: dict[str, str]) -> str:
    url = migrated_urls[backend]
    await empty_tables(url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings.from_env(
        {"PSO_ENV": "test", "PSO_DATABASE_URL": database_url, "PSO_RATE_LIMIT": "0"}
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
async def session_maker(database_url: str):
    engine = make_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.fixture
def make_token(session_maker):
    """make_token(role, kvk=..., municipality_code=...) -> Authorization headers.

    make_token("auditor", body="CODE", name="Ans") makes a person (account) of that
    certifying body (created when new) and returns their personal token;
    make_token("company", kvk=K, person=True, email=...) a person of that company."""

    async def make(role: str, *, body: str | None = None, name: str | None = None,
                   person: bool = False, email: str | None = None,
                   **kwargs: str) -> dict[str, str]:
        async with session_maker() as session, session.begin():
            if body is None and not person:
                _, token = await users.add(session, SYSTEM, role, name or f"test {role}",
                                           **kwargs)
            else:
                token = await person_token(session, role, body or kwargs.get("kvk"), name,
                                           email)
        return {"Authorization": f"Bearer {token}"}

    return make


async def person_token(session, role: str, code: str | None, name: str | None,
                       email: str | None = None) -> str:
    import secrets

    from pso.services import accounts, bodies

    kind, code = accounts.party_key(role, code)
    if kind == "certifying_body":
        party = await bodies.find(session, code)
        if party is None:
            await bodies.create(session, SYSTEM, code=code, name=f"Instelling {code}")
            party = await bodies.find(session, code)
    else:
        party = await accounts.ensure_party(session, kind, code)
    email = email or f"{secrets.token_hex(4)}@{code.lower()}.example.nl"
    account = await accounts.create_account(session, SYSTEM, email=email,
                                            name=name or f"{role} {code}", role=role,
                                            party=party)
    _, token = await accounts.create_token(session, account, "test")
    return token


async def count_rows(session_maker, table: str) -> int:
    async with session_maker() as session:
        return (await session.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()


@pytest.fixture
def fixed_today():
    """fixed_today(date(2026, 3, 1)) makes pso.clock.today() answer that day in this process
    (the in-process app, services, jobs) until the test ends. Servers in other processes
    take PSO_TODAY in their environment instead."""
    from pso import clock

    previous = clock.fixed_day()
    yield clock.fix
    clock.fix(previous)
