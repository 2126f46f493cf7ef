from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pso.identifiers import KVK_RE, MUNICIPALITY_RE
from pso.audit import record
from pso.auth import ROLES, Actor, hash_token, new_token
from pso.db.models import User


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
    await record(session, actor, "user.created", "user", user.id, {"role": role, "name": user.name})
    return user, token
