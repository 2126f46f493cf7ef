from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.audit import record
from pso.auth import Actor
from pso.db.models import Organization
from pso.errors import Conflict, NotFound
from pso.services.access import ensure_kvk_access


async def find(session: AsyncSession, kvk: str) -> Organization | None:
    return await session.scalar(select(Organization).where(Organization.kvk == kvk))


async def create(session: AsyncSession, actor: Actor, data: dict[str, Any]) -> Organization:
    ensure_kvk_access(actor, data["kvk"])
    if await find(session, data["kvk"]) is not None:
        raise Conflict(
            "organization-exists", f"Er is al een organisatie met KvK-nummer {data['kvk']}."
        )
    org = Organization(**data)
    session.add(org)
    await session.flush()
    await record(session, actor, "organization.created", "organization", org.kvk, data)
    return org


async def get_for(session: AsyncSession, actor: Actor, kvk: str) -> Organization:
    ensure_kvk_access(actor, kvk)
    org = await find(session, kvk)
    if org is None:
        raise NotFound(f"Geen organisatie met KvK-nummer {kvk}.")
    return org
