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


async def prepare_database(settings: Settings, *, demo: bool,
                           sign_ins: dict[str, tuple[str, str]] | None = None) -> dict[str, str]:
    """Migrate; on a brand-new database also load demo data. Returns demo tokens and fills
    `sign_ins` (label -> e-mail, password) when given."""
    new = await is_new(settings.database_url)
    await upgrade_async(settings.database_url)
    if not (new and demo and settings.is_development):
        return {}  # demo data (with working sign-ins and tokens) never in production
    from pso import demo as demo_data

    engine = make_engine(settings.database_url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as session, session.begin():
            return await demo_data.load(session, settings.public_url, settings.issuer_name,
                                        sign_ins)
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


async def add_account(
    settings: Settings, *, email: str, name: str, role: str, party: str | None,
    party_name: str | None = None, password: str | None = None, with_token: bool = False,
    expires_in_days: int | None = None, municipality: str | None = None,
) -> tuple[int, str | None, str | None]:
    """Create a person's account (and the party when new). Returns (account id, the
    invitation link when no password was given, a personal API token when asked for)."""
    from pso.services import accounts

    await upgrade_async(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as session, session.begin():
            kind, code = accounts.party_key(role, party)
            found = await accounts.ensure_party(session, kind, code, party_name)
            if municipality:  # a buying organisation's municipality (GM code)
                await accounts.set_municipality(session, SYSTEM, found, municipality)
            account = await accounts.create_account(
                session, SYSTEM, email=email, name=name, role=role, party=found,
                password=password)
            link = None
            if password is None:
                link = await accounts.invitation_link(session, account, settings.public_url,
                                                      inviter="De beheerder van de PSO-dienst")
            token = None
            if with_token:
                user, token = await accounts.create_token(session, account, "pso users add")
                if expires_in_days:
                    user.expires_at = utcnow() + timedelta(days=expires_in_days)
            return account.id, link, token
    finally:
        await engine.dispose()


async def revoke_account(settings: Settings, email: str) -> tuple[int, bool]:
    """Revoke a person: sessions and tokens end at once. Returns (account id, changed)."""
    from pso.services import accounts

    await upgrade_async(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as session, session.begin():
            account, changed = await accounts.revoke_account(session, SYSTEM, email)
            return account.id, changed
    finally:
        await engine.dispose()
