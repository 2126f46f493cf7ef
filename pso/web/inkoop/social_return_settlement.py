"""/inkoop/social-return: the buying organisation's overview; and on
/inkoop/aanbestedingen/{id}/social-return the buyer settles the contract (SPEC §8.2) and
downloads the eindverantwoording (PDF) and the lines (CSV). Checked by the API's own model
(SettleIn) and settled by the service, so page and API refuse alike. The confirmation is a
checkbox the server checks (no script on the page)."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.formatting import euro
from pso.errors import ProblemError
from pso.http.downloads import file_download
from pso.schemas.base import parse
from pso.schemas.social_return import SettleIn
from pso.services import social_return_exports as exports
from pso.services import social_return_overview
from pso.services import social_return_settlement as settlement
from pso.web.forms import field_errors, posted
from pso.web.inkoop.social_return import _render
from pso.web.session import Page

NOT_CONFIRMED = "Vink aan dat u de cijfers hebt gecontroleerd; afrekenen kan maar één keer."


def _target(tender_id: int) -> str:
    return f"/inkoop/aanbestedingen/{tender_id}/social-return"


@post("/inkoop/aanbestedingen/{tender_id:int}/social-return/afrekenen",
      include_in_schema=False, status_code=200)
async def settle(request: Request, db: AsyncSession, tender_id: int) -> Template | Redirect:
    page, form, stop = await posted(request, db, "procurement", _target(tender_id))
    if stop:
        return stop
    reason = form.text("settle.reason")[:500]
    typed = {"settle.reason": reason, "settle.confirm": form.text("settle.confirm") == "ja"}
    if not typed["settle.confirm"]:
        return await _render(page, db, tender_id, status=400, settle_form=typed,
                             errors={"settle.confirm": [NOT_CONFIRMED]})
    try:
        data: SettleIn = parse(SettleIn, {"early": bool(reason), "reason": reason or None})
        row = await settlement.settle(db, page.actor, tender_id, early=data.early,
                                      reason=data.reason)
    except ProblemError as exc:
        await db.rollback()
        if exc.status == 404:
            return page.redirect("/inkoop", exc.detail)
        errors = field_errors(exc, lambda n: f"settle.{n}") if exc.invalid_params \
            else {"settle": [exc.detail]}
        return await _render(page, db, tender_id, status=exc.status, settle_form=typed,
                             errors=errors)
    return page.redirect(f"{_target(tender_id)}#afrekening", "Contract afgerekend: tekort "
                         f"{euro(row.shortfall)}, te betalen {euro(row.penalty)}.")


async def _download(request: Request, db: AsyncSession, tender_id: int,
                    fmt: Literal["pdf", "csv"]) -> Response[Any] | Template | Redirect:
    page = await Page.load(request, db)
    if (stop := page.gate("procurement")) is not None:
        return stop
    try:
        answer = file_download(*await exports.settlement_file(db, page.actor, tender_id, fmt))
    except ProblemError as exc:
        return page.redirect(_target(tender_id) if exc.status != 404 or "afgerekend" in
                             exc.detail else "/inkoop", exc.detail)
    return answer


@get("/inkoop/aanbestedingen/{tender_id:int}/social-return/eindverantwoording.pdf",
     include_in_schema=False)
async def settlement_pdf(request: Request, db: AsyncSession,
                         tender_id: int) -> Response[Any] | Template | Redirect:
    return await _download(request, db, tender_id, "pdf")


@get("/inkoop/aanbestedingen/{tender_id:int}/social-return/eindverantwoording.csv",
     include_in_schema=False)
async def settlement_csv(request: Request, db: AsyncSession,
                         tender_id: int) -> Response[Any] | Template | Redirect:
    return await _download(request, db, tender_id, "csv")


@get("/inkoop/social-return", include_in_schema=False)
async def overview_page(request: Request, db: AsyncSession) -> Template | Redirect:
    page = await Page.load(request, db)
    if (stop := page.gate("procurement")) is not None:
        return stop
    found = await social_return_overview.overview(db, page.actor)
    return page.render("web/inkoop/social_return_overview.html", context={"o": found})


@get("/inkoop/social-return.csv", include_in_schema=False)
async def overview_csv(request: Request, db: AsyncSession) -> Response[Any] | Redirect:
    page = await Page.load(request, db)
    if (stop := page.gate("procurement")) is not None:
        return stop
    found = await social_return_overview.overview(db, page.actor)
    return file_download(social_return_overview.csv_bytes(found), "text/csv",
                         "overzicht-social-return.csv")


ROUTES = [settle, settlement_pdf, settlement_csv, overview_page, overview_csv]
