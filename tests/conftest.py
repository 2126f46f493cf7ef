"""Shared fixtures: the app on SQLite and, when a server answers, on PostgreSQL.

Each backend gets a fresh database migrated once per session; tables are emptied before
every test. PSO_REQUIRE_POSTGRES=1 turns a missing PostgreSQL into a failure (CI).
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.app import create_app
from pso.auth import SYSTEM
from pso.db.engine import make_engine
from pso.db.migrate import upgrade
from pso.db.models import Base
from pso.services import users
from pso.settings import Settings

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str | None:
    url = os.environ.get("PSO_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return DEFAULT_PG
    except OSError:
        return None


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


async def _pg_admin(sql: str) -> None:
    import asyncpg

    url = make_url(postgres_admin_url())
    conn = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    urls: dict[str, str] = {}
    created_pg: str | None = None
    sqlite_file = Path(tmp_path_factory.mktemp("db")) / "test.sqlite3"
    urls["sqlite"] = f"sqlite+aiosqlite:///{sqlite_file}"
    if "postgres" in BACKENDS:
        created_pg = f"pso_test_{uuid.uuid4().hex[:10]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{created_pg}"'))
        urls["postgres"] = make_url(postgres_admin_url()).set(database=created_pg).render_as_string(
            hide_password=False
        )
    for url in urls.values():
        upgrade(url)
    yield urls
    if created_pg:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{created_pg}" WITH (FORCE)'))


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
    """make_token(role, kvk=..., municipality_code=...) -> Authorization headers."""

    async def make(role: str, **kwargs: str) -> dict[str, str]:
        async with session_maker() as session, session.begin():
            _, token = await users.add(session, SYSTEM, role, f"test {role}", **kwargs)
        return {"Authorization": f"Bearer {token}"}

    return make


async def count_rows(session_maker, table: str) -> int:
    async with session_maker() as session:
        return (await session.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()
