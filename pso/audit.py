"""The single writer of the append-only audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import Actor
from pso.db.models import AuditEvent


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object,
    summary: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit entry inside the caller's transaction (it commits or rolls back with it)."""
    event = AuditEvent(
        actor_id=actor.id,
        actor_account_id=actor.account_id,
        actor_name=actor.name,
        actor_role=actor.role,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        summary=summary or {},
    )
    session.add(event)
    await session.flush()
    return event
