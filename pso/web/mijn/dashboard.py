"""/mijn: the dashboard, and re-certification (a new application copied from the last
approved one; the expiry reminder mail links to /mijn/hercertificering)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso import clock
from pso.db.models import AssessmentStatus, Certificate, Organization, Voucher
from pso.errors import ProblemError
from pso.services import portal
from pso.services.register import status_of
from pso.services.voucher_status import status_on
from pso.text.labels import VOUCHER_STATUS_LABELS
from pso.voucher_codes import display
from pso.web.mijn.common import DB, STATUS_TEXT, load, load_form
from scoring.enums import RUNGS


async def certificates_of(db: AsyncSession, org: Organization) -> list[dict[str, Any]]:
    day = clock.today()
    rows = await db.scalars(select(Certificate).where(Certificate.organization_id == org.id)
                            .order_by(Certificate.valid_from.desc(), Certificate.number.desc()))
    return [{"c": c, "status": status_of(c, day)} for c in rows]


async def vouchers_of(db: AsyncSession, org: Organization) -> list[dict[str, Any]]:
    day = clock.today()
    rows = await db.scalars(select(Voucher).where(Voucher.organization_id == org.id)
                            .order_by(Voucher.id.desc()))
    out = []
    for v in rows:
        status = status_on(v, day)
        out.append({"v": v, "code": display(v.code), "raw_code": v.code, "status": status,
                    "status_label": VOUCHER_STATUS_LABELS[status]})
    return out


def next_steps(current: str, open_app: Any, approved: Any,
               certificates: list[dict[str, Any]]) -> list[str]:
    """What to do next, in plain words."""
    if open_app is not None:
        if open_app.status == AssessmentStatus.DRAFT:
            return [f"Maak aanvraag {open_app.id} af en dien hem in (stap 7)."]
        if open_app.status == AssessmentStatus.INFORMATION_REQUESTED:
            return [f"Beantwoord de vraag van de auditor bij aanvraag {open_app.id}."]
        return [f"Wacht op de beoordeling van aanvraag {open_app.id}."]
    steps = []
    valid = [c for c in certificates if c["status"] == "valid" and c["c"].kind == "ladder"]
    if valid:
        until = min(c["c"].valid_until for c in valid)
        days = (until - clock.today()).days
        if days <= 92:
            steps.append("Uw certificaat verloopt binnen drie maanden: start de hercertificering.")
        else:
            steps.append("Uw certificaat is geldig. Start de hercertificering ongeveer drie "
                         "maanden voor het verloopt.")
    elif approved is not None:
        steps.append("Start een hercertificering: de nieuwe aanvraag begint als kopie van de "
                     "vorige.")
    else:
        steps.append("Begin een aanvraag: vul de gegevens van uw organisatie over een peiljaar in.")
    return steps


@get("/mijn", dependencies=DB, include_in_schema=False, name="mijn-dashboard")
async def dashboard(request: Request, db: AsyncSession) -> Template | Redirect:
    mijn, stop = await load(request, db)
    if mijn is None:
        return stop
    if mijn.org is None:
        return mijn.render("web/mijn/dashboard.html", {"registered": False})
    apps = await portal.applications(db, mijn.org)
    open_app, approved = portal.open_application(apps), portal.last_approved(apps)
    certificates = await certificates_of(db, mijn.org)
    ladder = [c for c in certificates if c["c"].kind == "ladder" and c["status"] == "valid"]
    current = max((c["c"].rung for c in ladder), key=RUNGS.index, default="none")
    return mijn.render("web/mijn/dashboard.html", {
        "registered": True, "current": current, "certificates": certificates,
        "open_app": open_app, "approved": approved, "applications": apps[:10],
        "resume_url": portal.resume_url(open_app) if open_app else "",
        "outcomes": {a.id: portal.outcome_text(a) for a in apps[:10]},
        "status_text": STATUS_TEXT, "vouchers": await vouchers_of(db, mijn.org),
        "next_steps": next_steps(current, open_app, approved, certificates),
    })


@get("/mijn/hercertificering", dependencies=DB, include_in_schema=False)
async def recertify_form(request: Request, db: AsyncSession) -> Template | Redirect:
    mijn, stop = await load(request, db, registered=True)
    if mijn is None:
        return stop
    apps = await portal.applications(db, mijn.org)
    return mijn.render("web/mijn/recertify.html", {
        "approved": portal.last_approved(apps), "open_app": portal.open_application(apps)})


@post("/mijn/hercertificering", dependencies=DB, include_in_schema=False, status_code=200)
async def recertify(request: Request, db: AsyncSession) -> Template | Redirect:
    mijn, _, stop = await load_form(request, db, "/mijn/hercertificering")
    if mijn is None:
        return stop
    try:
        assessment = await portal.recertify(db, mijn.actor, mijn.kvk)
    except ProblemError as exc:
        await mijn.rollback(db)
        return mijn.page.redirect("/mijn", exc.detail)
    return mijn.page.redirect(
        f"/mijn/aanvraag/{assessment.id}/stap/1",
        f"Aanvraag {assessment.id} is gemaakt als kopie van aanvraag {assessment.copied_from_id}, "
        "met de periode een jaar verder. Controleer en werk elke stap bij.")


ROUTES = [dashboard, recertify_form, recertify]
