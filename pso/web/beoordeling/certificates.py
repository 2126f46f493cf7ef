"""Certificate management in the workbench: certificates expiring within three months,
one certificate with suspend / reinstate / revoke (with reason), each after a
confirmation step."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.clock import today
from pso.errors import InvalidInput, NotFound, ProblemError
from pso.schemas.base import parse
from pso.schemas.certificates import RevocationIn, SuspensionIn
from pso.services import register
from pso.web.beheer.common import PAGE_SIZE, page_number, pager
from pso.web.beoordeling.common import DB, workbench
from pso.web.forms import posted
from pso.web.session import STALE

ACTIONS = {
    "schorsen": ("Schorsen", ("Het certificaat geldt vanaf vandaag als geschorst, tot u de "
                              "schorsing opheft.")),
    "herstellen": ("Schorsing opheffen", "Het certificaat is vanaf vandaag weer geldig."),
    "intrekken": ("Intrekken", ("Intrekken is definitief: het certificaat is vanaf vandaag "
                                "ingetrokken en kan niet meer geldig worden.")),
}


@get("/beoordeling/certificaten", dependencies=DB, include_in_schema=False)
async def overview(request: Request, db: AsyncSession, nummer: str | None = None,
                   zoek: str | None = None, page_: str | None = Parameter(
                       query="page", default=None)) -> Template | Redirect:
    """The body's certificates, searchable by name, KvK or number and paged; the ones
    expiring within three months beneath. (`nummer` is the old number box's link.)"""
    page, stop = await workbench(request, db)
    if stop:
        return stop
    if nummer:
        return page.redirect(f"/beoordeling/certificaten/{nummer.strip()[:40]}")
    day, query, number = today(), (zoek or "").strip()[:100], page_number(page_)
    found, total = await register.of_body(db, page.actor, q=query, page=number,
                                          page_size=PAGE_SIZE)
    rows = await register.expiring(db, page.actor, 3)
    return page.render("web/beoordeling/certificates.html", {
        "certificates": [{**register.summary(c, day),
                          "suspensionReason": register.suspension_reason(c)} for c in found],
        "query": query, "pager": pager("/beoordeling/certificaten", {"zoek": query}, number,
                                       total),
        "expiring": [register.summary(c, day) for c in rows], "today": day})


async def _certificate_page(page, db, number: str, *, action: str | None = None,
                            errors: dict[str, str] | None = None, reason: str = "",
                            code: int = 200) -> Template:
    certificate = await register.find(db, number)
    register.ensure_body_access(page.actor, certificate)
    day = today()
    followers = [register.summary(c, day) for c in await register.followers(db, certificate)]
    return page.render("web/beoordeling/certificate.html", status=code, context={
        "c": register.summary(certificate, day), "followers": followers,
        "confirm": ACTIONS.get(action) if action else None, "action": action,
        "errors": errors or {}, "reason": reason})


@get("/beoordeling/certificaten/{number:str}", dependencies=DB, include_in_schema=False)
async def certificate_page(request: Request, db: AsyncSession, number: str) -> Template | Redirect:
    page, stop = await workbench(request, db)
    if stop:
        return stop
    try:
        return await _certificate_page(page, db, number)
    except ProblemError as exc:
        return page.redirect("/beoordeling/certificaten", exc.detail)


@post("/beoordeling/certificaten/{number:str}/{action:str}", dependencies=DB,
      include_in_schema=False, status_code=200)
async def act(request: Request, db: AsyncSession, number: str, action: str) -> Template | Redirect:
    """First POST shows what will happen (confirmation); with `bevestigd` it happens."""
    target = f"/beoordeling/certificaten/{number}"
    page, form, stop = await posted(request, db, "auditor", target)
    if stop:
        return stop
    if action not in ACTIONS:
        return page.redirect(target, STALE)
    reason = form.text("reason")
    try:
        if action == "intrekken":
            parse(RevocationIn, {"reason": reason})
        elif action == "schorsen":
            parse(SuspensionIn, {"reason": reason or None})
        if not form.flag("bevestigd"):
            return await _certificate_page(page, db, number, action=action, reason=reason)
        if action == "intrekken":
            await register.revoke(db, page.actor, number, reason)
            message = f"Certificaat {number} is ingetrokken."
        elif action == "schorsen":
            await register.suspend(db, page.actor, number, reason or None)
            message = f"Certificaat {number} is geschorst."
        else:
            await register.reinstate(db, page.actor, number)
            message = f"De schorsing van certificaat {number} is opgeheven."
    except InvalidInput as exc:
        await db.rollback()
        errors = {p["name"]: p["reason"] for p in exc.invalid_params or []}
        return await _certificate_page(page, db, number, errors=errors, reason=reason, code=400)
    except NotFound as exc:
        await db.rollback()
        return page.redirect("/beoordeling/certificaten", exc.detail)
    except ProblemError as exc:
        await db.rollback()
        return page.redirect(target, f"Niet gelukt: {exc.detail}")
    return page.redirect(target, message)


ROUTES = [overview, certificate_page, act]
