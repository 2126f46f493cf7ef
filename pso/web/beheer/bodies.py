"""/beheer/instellingen: certifying bodies (SPEC §7.3). List, add (code, name, accreditation,
separate decision) and edit everything but the code. The forms go through the API's models
(BodyIn, BodyPatchIn) and pso.services.bodies, so page and API refuse the same input with
the same words."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.errors import InvalidInput, ProblemError
from pso.schemas.base import parse
from pso.schemas.bodies import BodyIn, BodyPatchIn
from pso.services import bodies as service
from pso.web.beheer.common import DB, admin, form_page, refusal_errors
from pso.web.forms import Form, posted
from pso.web.session import Page

PATH = "/beheer/instellingen"
LABELS = {"code": "Code", "name": "Naam", "accreditation": "Accreditatie",
          "separateDecision": "Besluit door een andere auditor"}
CONFLICTS = {"certifying-body-exists": "code"}
BLANK = {"code": "", "name": "", "accreditation": "", "separateDecision": True}


def _typed(form: Form) -> dict[str, Any]:
    # 2000 is the API's limit; one more character lets the model refuse what is too long.
    return {"code": form.text("code"), "name": form.text("name"),
            "accreditation": form.text("accreditation", limit=2001),
            "separateDecision": form.flag("separateDecision")}


async def _list(page: Page, *, form: dict[str, Any] | None = None,
                errors: dict[str, list[str]] | None = None, status: int = 200) -> Template:
    return form_page(page, "web/beheer/bodies.html", {
        "bodies": await service.list_bodies(page.db), "form": form or BLANK},
        errors=errors, labels=LABELS, status=status)


@get(PATH, dependencies=DB, include_in_schema=False)
async def bodies(request: Request, db: AsyncSession) -> Template | Redirect:
    page, stop = await admin(request, db)
    return stop or await _list(page)


@post(PATH, dependencies=DB, include_in_schema=False, status_code=200)
async def create_body(request: Request, db: AsyncSession) -> Template | Redirect:
    page, form, stop = await posted(request, db, "admin", PATH)
    if stop:
        return stop
    typed = _typed(form)
    try:
        data: BodyIn = parse(BodyIn, typed)
        made = await service.create(db, page.actor, code=data.code, name=data.name,
                                    accreditation=data.accreditation,
                                    separate_decision=data.separate_decision)
    except ProblemError as exc:
        await db.rollback()
        return await _list(page, form=typed, errors=refusal_errors(exc, CONFLICTS), status=400)
    return page.redirect(PATH, f"Certificerende instelling {made.name} ({made.code}) toegevoegd.")


async def _edit(page: Page, body: service.BodyView, *, form: dict[str, Any] | None = None,
                errors: dict[str, list[str]] | None = None, status: int = 200) -> Template:
    form = form or {"name": body.name, "accreditation": body.accreditation,
                    "separateDecision": body.separate_decision}
    return form_page(page, "web/beheer/body.html", {"body": body, "form": form},
                     errors=errors, labels=LABELS, status=status)


async def _body(page: Page, code: str) -> service.BodyView | None:
    party = await service.find(page.db, code[:40])
    return await service.get_view(page.db, party.id) if party else None


@get(PATH + "/{code:str}", dependencies=DB, include_in_schema=False)
async def edit_body(request: Request, db: AsyncSession, code: str) -> Template | Redirect:
    page, stop = await admin(request, db)
    if stop:
        return stop
    body = await _body(page, code)
    if body is None:
        return page.redirect(PATH, "Deze certificerende instelling bestaat niet.")
    return await _edit(page, body)


@post(PATH + "/{code:str}", dependencies=DB, include_in_schema=False, status_code=200)
async def save_body(request: Request, db: AsyncSession, code: str) -> Template | Redirect:
    page, form, stop = await posted(request, db, "admin", f"{PATH}/{quote(code[:40])}")
    if stop:
        return stop
    body = await _body(page, code)
    if body is None:
        return page.redirect(PATH, "Deze certificerende instelling bestaat niet.")
    typed = _typed(form)
    del typed["code"]
    try:
        data: BodyPatchIn = parse(BodyPatchIn, typed)
        saved = await service.update(db, page.actor, body.code, **data.changes())
    except InvalidInput as exc:
        await db.rollback()
        return await _edit(page, body, form=typed, errors=refusal_errors(exc, CONFLICTS), status=400)
    return page.redirect(PATH, f"De gegevens van {saved.name} ({saved.code}) zijn opgeslagen.")


ROUTES = [bodies, create_body, edit_body, save_body]
