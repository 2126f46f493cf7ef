"""Throw-away PostgreSQL databases for tests and benchmarks, on the local server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Iterator

from sqlalchemy.engine import make_url

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str | None:
    """PSO_TEST_POSTGRES_URL, else the local server if 127.0.0.1:5432 answers, else None."""
    url = os.environ.get("PSO_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return DEFAULT_PG
    except OSError:
        return None


async def pg_admin(admin_url: str, sql: str) -> None:
    import asyncpg

    url = make_url(admin_url)
    conn = await asyncpg.connect(host=url.host, port=url.port or 5432, user=url.username,
                                 password=url.password, database=url.database or "postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def temporary_postgres(prefix: str = "pso_test") -> Iterator[str]:
    """An empty database created for the caller and dropped afterwards; yields its URL."""
    admin = postgres_admin_url()
    if admin is None:
        raise RuntimeError("no PostgreSQL answers on 127.0.0.1:5432")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    asyncio.run(pg_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
