"""The single writer of the append-only audit log, and its one reader (API and /beheer/audit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import Actor
from pso.db.models import AuditEvent
from pso.db.paging import paginate


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


async def events(session: AsyncSession, *, entity_type: str | None = None,
                 entity_id: str | None = None, action: str | None = None, page: int = 1,
                 page_size: int = 20) -> tuple[list[AuditEvent], int]:
    """One page of the log, newest first, and how many entries match."""
    query = select(AuditEvent)
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if action:
        query = query.where(AuditEvent.action == action)
    return await paginate(session, query, AuditEvent.id.desc(), page=page, page_size=page_size)
