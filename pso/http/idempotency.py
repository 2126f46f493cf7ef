"""Idempotency-Key support for POSTs that create or spend.

The first response to (actor, key) is stored in the same transaction as the effect, so a
repeat returns that response and has no second effect. The same key with a different
request is refused (409). On PostgreSQL concurrent repeats queue on an advisory lock;
SQLite serialises writers already (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import Actor
from pso.db.models import IdempotencyRecord
from pso.errors import Conflict, InvalidInput

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def _jsonable(result: BaseModel | dict[str, Any] | list[Any]) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json", by_alias=True)
    return result


async def idempotent(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    actor: Actor,
    action: Callable[[], Awaitable[BaseModel | dict[str, Any] | list[Any]]],
    *,
    status_code: int = 200,
) -> Response[Any]:
    """Run `action` once per Idempotency-Key; without a key, just run it."""
    key = request.headers.get(HEADER)
    if key is None:
        return Response(_jsonable(await action()), status_code=status_code)
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(
            [{"name": HEADER, "reason": f"1 tot {MAX_KEY_LENGTH} afdrukbare tekens."}]
        )
    body = await request.body()
    digest = hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"\n" + body
    ).hexdigest()
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"{actor.key}|{key}"))))
    previous = await db.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.actor_key == actor.key, IdempotencyRecord.key == key
        )
    )
    if previous is not None:
        if previous.request_hash != digest:
            raise Conflict(
                "idempotency-key-reused",
                "Deze Idempotency-Key is al gebruikt voor een ander verzoek.",
            )
        return Response(
            previous.body, status_code=previous.status_code, headers={"Idempotent-Replayed": "true"}
        )
    content = _jsonable(await action())
    db.add(
        IdempotencyRecord(
            actor_key=actor.key, key=key, request_hash=digest, status_code=status_code, body=content
        )
    )
    await db.flush()
    return Response(content, status_code=status_code)
