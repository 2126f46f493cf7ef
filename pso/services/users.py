from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.audit import record
from pso.auth import ROLES, Actor, hash_token, new_token
from pso.db.base import utcnow
from pso.db.models import User
from pso.text.identifiers import KVK_RE, MUNICIPALITY_RE


class UserInputError(ValueError):
    pass


def check(role: str, kvk: str | None, municipality_code: str | None) -> None:
    if role not in ROLES:
        raise UserInputError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if role == "company" and not (kvk and KVK_RE.match(kvk)):
        raise UserInputError("a company user needs --kvk with 8 digits")
    if role == "municipality" and not (municipality_code and MUNICIPALITY_RE.match(municipality_code)):
        raise UserInputError("a municipality user needs --municipality like GM0200")
    if role != "company" and kvk:
        raise UserInputError("--kvk is only for company users")
    if role != "municipality" and municipality_code:
        raise UserInputError("--municipality is only for municipality users")


async def add(
    session: AsyncSession,
    actor: Actor,
    role: str,
    name: str | None = None,
    *,
    kvk: str | None = None,
    municipality_code: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[User, str]:
    """Create a user and return it with its token; the token itself is never stored."""
    check(role, kvk, municipality_code)
    token = new_token()
    user = User(
        name=name or role,
        role=role,
        kvk=kvk,
        municipality_code=municipality_code,
        token_hash=hash_token(token),
        expires_at=expires_at,
    )
    session.add(user)
    await session.flush()
    summary = {"role": role, "name": user.name}
    if expires_at is not None:
        summary["expiresAt"] = expires_at.isoformat()
    await record(session, actor, "user.created", "user", user.id, summary)
    return user, token


async def revoke(
    session: AsyncSession, actor: Actor, *, user_id: int | None = None, token: str | None = None
) -> tuple[User, bool]:
    """Revoke a user's token, found by id or by the token itself.

    Returns (user, changed); revoking twice keeps the first moment and records nothing new.
    """
    if (user_id is None) == (token is None):
        raise UserInputError("give either a user id or a token")
    query = select(User).with_for_update()
    query = query.where(User.id == user_id) if user_id is not None else query.where(
        User.token_hash == hash_token(token or "")
    )
    user = await session.scalar(query)
    if user is None:
        raise UserInputError("no such user" if user_id is not None else "unknown token")
    if user.revoked_at is not None:
        return user, False
    user.revoked_at = utcnow()
    await session.flush()
    await record(session, actor, "user.revoked", "user", user.id,
                 {"role": user.role, "name": user.name})
    return user, True
