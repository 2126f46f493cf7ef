"""Engine creation with the per-database settings the service relies on."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

READ_ONLY = "pso_read_only"


@contextlib.asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for reads outside a request's transaction. PostgreSQL: autocommit, so
    each statement is one round trip with its own consistent snapshot (no BEGIN/ROLLBACK).
    SQLite: a deferred read transaction (READ_ONLY), which never waits for the write lock."""
    options = ({"isolation_level": "AUTOCOMMIT"} if engine.dialect.name == "postgresql"
               else {READ_ONLY: True})
    async with engine.connect() as conn:
        yield await conn.execution_options(**options)


def make_engine(url: str, **kwargs: object) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it costs a round trip (BEGIN; SELECT 1; ROLLBACK) on every checkout. A
    # connection broken by a restart fails its request with a 503 (pso.errors), and that
    # disconnect invalidates every older pooled connection, so the next requests reconnect
    # (tests/api/test_database_restart.py). Recycling retires connections that a firewall or
    # server timeout may have dropped while idle.
    kwargs.setdefault("pool_recycle", 1800)
    kwargs.setdefault("pool_size", 10)
    return create_async_engine(url, **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn):
        # Writers take the write lock at the start of their transaction: a read-then-write
        # (budget check, next certificate number) can then never interleave with another
        # writer, across processes too; SQLite has one writer anyway. Transactions marked
        # read-only (GET requests, see pso.http.transaction.provide_db) start deferred so they never
        # queue behind writers: WAL gives them a consistent snapshot without a lock.
        deferred = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def make_sqlite_reader(url: str) -> Engine | None:
    """A synchronous engine on the same SQLite file, for public reads: the verification page
    (one statement on the event loop's thread) and register searches (a few statements in a
    worker thread, one hand-off in all).

    Each aiosqlite call is a hand-off to its worker thread (~0.25 ms on a loaded machine) and
    a read through the async session costs ~8 of them (BEGIN, cursor, execute, fetch, close,
    COMMIT). An indexed lookup in the stdlib driver takes tens of microseconds on the event
    loop's thread instead; WAL readers do not wait for writers. The connections are read-only
    (PRAGMA query_only); the pool hands each one to one thread at a time. None for
    PostgreSQL and in-memory databases, which keep the async session.
    """
    if not url.startswith("sqlite") or ":memory:" in url or url.rstrip("/").endswith("sqlite:"):
        return None
    engine = create_engine(url.replace("+aiosqlite", "+pysqlite", 1),
                           # a WAL reader waits only in rare moments (recovery, a truncating
                           # checkpoint); it holds up the event loop meanwhile, so briefly
                           connect_args={"timeout": 1, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine
