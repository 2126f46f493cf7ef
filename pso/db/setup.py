"""Database tasks the CLI runs outside a request."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.auth import SYSTEM
from pso.db.base import utcnow
from pso.db.engine import make_engine
from pso.db.migrate import upgrade_async
from pso.settings import Settings


async def is_new(database_url: str) -> bool:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return "alembic_version" not in tables


async def prepare_database(settings: Settings, *, demo: bool) -> dict[str, str]:
    """Migrate; on a brand-new database also load demo data. Returns demo tokens."""
    new = await is_new(settings.database_url)
    await upgrade_async(settings.database_url)
    if not (new and demo):
        return {}
    from pso import demo as demo_data

    engine = make_engine(settings.database_url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as session, session.begin():
            return await demo_data.load(session, settings.public_url, settings.issuer_name)
    finally:
        await engine.dispose()


async def add_user(
    settings: Settings, role: str, name: str | None, kvk: str | None, municipality: str | None,
    expires_in_days: int | None = None,
) -> tuple[int, str]:
    from pso.services import users

    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    await upgrade_async(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as session, session.begin():
            user, token = await users.add(
                session, SYSTEM, role, name, kvk=kvk, municipality_code=municipality,
                expires_at=expires_at,
            )
            return user.id, token
    finally:
        await engine.dispose()


async def revoke_user(
    settings: Settings, user_id: int | None, token: str | None
) -> tuple[int, bool]:
    """Revoke a token; returns (user id, whether it was still active)."""
    from pso.services import users

    await upgrade_async(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as session, session.begin():
            user, changed = await users.revoke(session, SYSTEM, user_id=user_id, token=token)
            return user.id, changed
    finally:
        await engine.dispose()
