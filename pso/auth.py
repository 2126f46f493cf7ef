"""Bearer tokens, the authenticated actor, and role guards.

Tokens are random (256 bits) and stored only as SHA-256: a database leak yields no
usable token. Looking a token up by its hash reveals nothing through timing, and the
fetched hash is compared once more in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pso.db.models import Account, User
from pso.errors import Forbidden, Unauthorized

ROLES = ("admin", "auditor", "procurement", "municipality", "company")
TOKEN_PREFIX = "pso_"


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user with a token, or the system itself (CLI, demo data)."""

    id: int | None
    name: str
    role: str
    kvk: str | None = None
    municipality_code: str | None = None
    account_id: int | None = None  # the person, when a token or web session belongs to one
    party_id: int | None = None

    @classmethod
    def from_user(cls, user: User) -> Actor:
        return cls(user.id, user.name, user.role, user.kvk, user.municipality_code)

    @property
    def key(self) -> str:
        if self.account_id is not None:
            return f"account:{self.account_id}"
        return f"user:{self.id}" if self.id is not None else f"system:{self.name}"


SYSTEM = Actor(None, "systeem", "system")


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def find_actor(session: AsyncSession, token: str) -> Actor | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    user = await session.scalar(select(User).where(User.token_hash == digest))
    if user is None or not hmac.compare_digest(user.token_hash, digest) or not usable(user):
        return None
    if user.account_id is None:  # a first-release token: role and tenant on the token
        return Actor.from_user(user)
    # A person's token: role and party are the account's, and a revoked person's tokens
    # stop at once.
    account = await session.get(Account, user.account_id)
    if account is None or account.revoked_at is not None:
        return None
    party = account.party
    return Actor(user.id, account.name, account.role,
                 kvk=party.code if party.kind == "applicant" else None,
                 municipality_code=party.code if party.kind == "municipality" else None,
                 account_id=account.id, party_id=party.id)


def usable(user: User) -> bool:
    """Not revoked and not expired (also asked again by web sessions on every request)."""
    now = datetime.now(UTC)
    return user.revoked_at is None and (user.expires_at is None or user.expires_at > now)


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return ""
            return token.strip()
    return None


class AuthMiddleware(ASGIMiddleware):
    """Puts the Actor (or None for anonymous) in scope["user"].

    A present but unknown, expired or revoked token is a 401 everywhere, also on
    public routes: a client with a broken token should learn so at once.
    """

    scopes = ("http",)  # type: ignore[assignment]

    def __init__(self, session_maker: async_sessionmaker[AsyncSession]) -> None:
        self.session_maker = session_maker

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        token = bearer_token(scope)
        actor: Actor | None = None
        if token is not None:
            if token:
                async with self.session_maker() as session:
                    actor = await find_actor(session, token)
            if actor is None:
                raise Unauthorized("Het toegangstoken is onbekend, verlopen of ingetrokken.")
        scope["user"] = actor
        await next_app(scope, receive, send)


def current_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    actor = connection.scope.get("user")
    if actor is None:
        raise Unauthorized()
    return actor


def require_roles(*roles: str):
    """Guard: the request needs a token with one of these roles."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        actor = current_actor(connection)
        if actor.role not in roles:
            raise Forbidden(f"Deze actie is niet toegestaan voor de rol '{actor.role}'.")

    guard.__name__ = f"require_{'_'.join(roles)}"
    return guard


def provide_actor(request: Any) -> Actor:
    """Dependency for handlers behind a guard."""
    return current_actor(request)
