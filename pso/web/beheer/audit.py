"""/beheer/audit: the append-only audit log, newest first, filtered by the kind of thing and
its id, paged; read through pso.audit.events like GET /api/v1/audit-events. Nothing here
changes anything."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.audit import events
from pso.web.beheer.common import PAGE_SIZE, admin, form_page, page_number, pager
from pso.web.beheer.labels import ENTITY_LABELS, ROLE_LABELS, action_label, details
from scoring.text import UNSAFE_REASON, unsafe_text

PATH = "/beheer/audit"
LABELS = {"entityType": "Soort", "entityId": "Kenmerk"}
MAX_ID = 64  # as long as audit_events.entity_id (and the API's entityId)


def _check(entity_type: str, entity_id: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if entity_type and entity_type not in ENTITY_LABELS:
        errors["entityType"] = ["Kies een soort uit de lijst."]
    if len(entity_id) > MAX_ID:
        errors["entityId"] = [f"Gebruik hoogstens {MAX_ID} tekens."]
    elif unsafe_text(entity_id):
        errors["entityId"] = [UNSAFE_REASON]
    return errors


@get(PATH, include_in_schema=False)
async def audit_log(request: Request, db: AsyncSession) -> Template | Redirect:
    page, stop = await admin(request, db)
    if stop:
        return stop
    params = request.query_params
    entity_type = (params.get("entityType") or "").strip()
    entity_id = (params.get("entityId") or "").strip()
    errors = _check(entity_type, entity_id[:MAX_ID + 1])
    filters = {"entityType": entity_type[:40], "entityId": entity_id[:MAX_ID + 1]}
    if errors:
        return form_page(page, "web/beheer/audit.html", {"rows": [], "filters": filters,
                                                         "types": ENTITY_LABELS, "pager": None},
                         errors=errors, labels=LABELS, status=400)
    number = page_number(params.get("page"))
    rows, total = await events(db, entity_type=entity_type or None, entity_id=entity_id or None,
                               page=number, page_size=PAGE_SIZE)
    return form_page(page, "web/beheer/audit.html", {
        "rows": [{"at": e.at, "who": e.actor_name, "role": ROLE_LABELS.get(e.actor_role, ""),
                  "what": action_label(e.action, e.entity_type),
                  "type": ENTITY_LABELS.get(e.entity_type, ""), "type_code": e.entity_type,
                  "id": e.entity_id, "details": details(e.summary or {})} for e in rows],
        "filters": filters, "types": ENTITY_LABELS,
        "pager": pager(PATH, filters, number, total)}, errors=None, labels=LABELS)


ROUTES = [audit_log]
