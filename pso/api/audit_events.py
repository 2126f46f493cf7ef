from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import get
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER, PageNumber, PageSize
from pso.audit import events
from pso.auth import require_roles
from pso.http.transaction import provide_db
from pso.schemas.base import ApiModel


class AuditEventOut(ApiModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_account_id: int | None = None  # the person (account) who acted, by token or browser
    actor_name: str
    actor_role: str
    action: str
    entity_type: str
    entity_id: str
    summary: dict[str, Any]


class AuditPage(ApiModel):
    items: list[AuditEventOut]
    page: int
    page_size: int
    total: int


Text = Annotated[str | None, Parameter(max_length=64)]


@get(
    "/api/v1/audit-events",
    guards=[require_roles("admin")],
    dependencies={"db": Provide(provide_db)},
    tags=["Audit"],
    security=BEARER,
    summary="Auditlog (alleen beheerders)",
)
async def list_audit_events(
    db: AsyncSession,
    entity_type: Annotated[str | None, Parameter(query="entityType", max_length=40)] = None,
    entity_id: Annotated[str | None, Parameter(query="entityId", max_length=64)] = None,
    action: Text = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
) -> AuditPage:
    """Het onveranderlijke logboek van alle wijzigingen, nieuwste eerst, te filteren op entiteit."""
    rows, total = await events(db, entity_type=entity_type, entity_id=entity_id,
                               action=action, page=page, page_size=page_size)
    return AuditPage(
        items=[AuditEventOut.model_validate(r) for r in rows],
        page=page,
        page_size=page_size,
        total=total,
    )


ROUTES = [list_audit_events]
