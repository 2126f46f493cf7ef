"""/beheer/organisaties: applying organisations, searchable by name or KvK number and paged,
and registering one with the API's model (OrganizationIn) and pso.services.organizations."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.errors import ProblemError
from pso.schemas.base import parse
from pso.schemas.organizations import OrganizationIn
from pso.services import organizations as service
from pso.text import municipalities as cbs
from pso.text.labels import ORGANIZATION_KINDS
from pso.web.beheer.common import (
    DB,
    PAGE_SIZE,
    admin,
    form_page,
    page_number,
    pager,
    refusal_errors,
)
from pso.web.forms import posted
from pso.web.session import Page

PATH = "/beheer/organisaties"
LABELS = {"kvk": "KvK-nummer", "name": "Naam", "municipalityCode": "Gemeente",
          "kind": "Soort organisatie"}
CONFLICTS = {"organization-exists": "kvk", "subsidiary-taken": "kvk"}
BLANK = {"kvk": "", "name": "", "municipalityCode": "", "kind": "company"}


async def _list(page: Page, q: str, number: int, *, form: dict[str, Any] | None = None,
                errors: dict[str, list[str]] | None = None, status: int = 200) -> Template:
    rows, total = await service.search(page.db, q, page=number, page_size=PAGE_SIZE)
    return form_page(page, "web/beheer/organisations.html", {
        "rows": [{"kvk": o.kvk, "name": o.name, "place": cbs.name_of(o.municipality_code),
                  "kind": ORGANIZATION_KINDS.get(o.kind, o.kind),
                  "subsidiaries": len(o.subsidiaries)} for o in rows],
        "q": q, "pager": pager(PATH, {"q": q}, number, total),
        "form": form or BLANK, "kinds": ORGANIZATION_KINDS, "places": cbs.choices()},
        errors=errors, labels=LABELS, status=status)


@get(PATH, dependencies=DB, include_in_schema=False)
async def organisations(request: Request, db: AsyncSession) -> Template | Redirect:
    page, stop = await admin(request, db)
    if stop:
        return stop
    params = request.query_params
    return await _list(page, (params.get("q") or "").strip()[:100],
                       page_number(params.get("page")))


@post(PATH, dependencies=DB, include_in_schema=False, status_code=200)
async def register_organisation(request: Request, db: AsyncSession) -> Template | Redirect:
    page, form, stop = await posted(request, db, "admin", PATH)
    if stop:
        return stop
    typed = {"kvk": form.text("kvk").replace(" ", ""), "name": form.text("name"),
             "municipalityCode": form.text("municipalityCode"), "kind": form.text("kind")}
    code, place_reason = cbs.chosen(typed["municipalityCode"])
    try:
        data: OrganizationIn = parse(OrganizationIn, {**typed, "municipalityCode": code})
        org = await service.create(db, page.actor, data.model_dump(by_alias=False))
    except ProblemError as exc:
        await db.rollback()
        errors = refusal_errors(exc, CONFLICTS)
        if "kind" in errors:  # the API names its codes; the page offers only its choices
            errors["kind"] = ["Kies een soort organisatie uit de lijst."]
        if place_reason:  # said in names, not the API's code format
            errors["municipalityCode"] = [place_reason]
        return await _list(page, "", 1, form=typed, errors=errors, status=400)
    return page.redirect(f"{PATH}?q={org.kvk}",
                         f"Organisatie {org.name} (KvK {org.kvk}) geregistreerd.")


ROUTES = [organisations, register_organisation]
