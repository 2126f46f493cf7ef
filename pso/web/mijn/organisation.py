"""/mijn/organisatie: the applying organisation — main applicant (the account's KvK) and
its subsidiary entities (KvK and name each). Registers the organisation on first use."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.errors import ProblemError
from pso.schemas.base import parse
from pso.schemas.organizations import OrganizationIn, OrganizationUpdate
from pso.services import organizations as service
from pso.text import municipalities as cbs
from pso.text.labels import ORGANIZATION_KINDS
from pso.web.forms import Form, error_summary, field_id
from pso.web.mijn.common import DB, Mijn, errors_by_field, load, load_form

MAX_ROWS = 50
LABELS = {"name": "Naam", "municipalityCode": "Gemeente", "kind": "Soort organisatie",
          "kvk": "KvK-nummer", "form": "Formulier"}


def _state(mijn: Mijn) -> dict[str, Any]:
    org = mijn.org
    if org is None:
        party = mijn.page.person.party if mijn.page.person else None
        return {"name": party.name if party else "", "municipalityCode": "", "kind": "company",
                "subsidiaries": [{"kvk": "", "name": ""}]}
    return {"name": org.name, "municipalityCode": org.municipality_code, "kind": org.kind,
            "subsidiaries": [{"kvk": s.kvk, "name": s.name} for s in org.subsidiaries]
            or [{"kvk": "", "name": ""}]}


def _from_form(form: Form) -> dict[str, Any]:
    rows = [{"kvk": form.text(f"subsidiaries[{i}].kvk").replace(" ", ""),
             "name": form.text(f"subsidiaries[{i}].name")}
            for i in range(form.rows("subsidiaries", MAX_ROWS))]
    return {"name": form.text("name"), "municipalityCode": form.text("municipalityCode"),
            "kind": form.text("kind"), "subsidiaries": rows or [{"kvk": "", "name": ""}]}


def _label(name: str) -> str:
    if name.startswith("subsidiaries["):
        index = int(name[13:name.index("]")])
        field = name[name.index("]") + 2:]
        what = {"kvk": "KvK-nummer", "name": "naam"}.get(field, "")
        return f"Dochteronderneming {index + 1}" + (f": {what}" if what else "")
    return LABELS.get(name, "Invoer")


def _page(mijn: Mijn, state: dict[str, Any], errors: dict[str, list[str]] | None = None,
          status: int = 200) -> Template:
    errors = errors or {}
    summary = error_summary(errors, _label)
    return mijn.render("web/mijn/organisation.html", {
        "s": state, "errors": errors, "summary": summary, "kinds": ORGANIZATION_KINDS, "places": cbs.choices(), "fid": field_id,
        "max_rows": MAX_ROWS}, status=status)


@get("/mijn/organisatie", dependencies=DB, include_in_schema=False)
async def organisation_page(request: Request, db: AsyncSession) -> Template | Redirect:
    mijn, stop = await load(request, db)
    if mijn is None:
        return stop
    return _page(mijn, _state(mijn))


@post("/mijn/organisatie", dependencies=DB, include_in_schema=False, status_code=200)
async def organisation_save(request: Request, db: AsyncSession) -> Template | Redirect:
    mijn, form, stop = await load_form(request, db, "/mijn/organisatie")
    if mijn is None:
        return stop
    state = _from_form(form)
    action = form.text("action") or "save"
    if action == "add_subsidiary":
        if len(state["subsidiaries"]) < MAX_ROWS:
            state["subsidiaries"].append({"kvk": "", "name": ""})
        return _page(mijn, state)
    if action.startswith("remove_subsidiary:"):
        index = action.partition(":")[2]
        if index.isdigit() and int(index) < len(state["subsidiaries"]):
            del state["subsidiaries"][int(index)]
        if not state["subsidiaries"]:
            state["subsidiaries"].append({"kvk": "", "name": ""})
        return _page(mijn, state)
    filled = [s for s in state["subsidiaries"] if s["kvk"] or s["name"]]
    code, place_reason = cbs.chosen(state["municipalityCode"])
    body = {"name": state["name"], "municipalityCode": code,
            "kind": state["kind"], "subsidiaries": filled}
    try:
        if mijn.org is None:
            data = parse(OrganizationIn, {**body, "kvk": mijn.kvk})
            await service.create(db, mijn.actor, data.model_dump(by_alias=False))
            message = "Uw organisatie is geregistreerd. U kunt nu een aanvraag beginnen."
        else:
            data = parse(OrganizationUpdate, body)
            await service.update(db, mijn.actor, mijn.kvk, data.model_dump(by_alias=False))
            message = "De gegevens van uw organisatie zijn opgeslagen."
    except ProblemError as exc:
        await mijn.rollback(db)
        state["subsidiaries"] = filled or [{"kvk": "", "name": ""}]
        errors = errors_by_field(exc)
        if place_reason:  # in names, not the API's code format
            errors["municipalityCode"] = [place_reason]
        return _page(mijn, state, errors, status=exc.status)
    return mijn.page.redirect("/mijn", message)


ROUTES = [organisation_page, organisation_save]
