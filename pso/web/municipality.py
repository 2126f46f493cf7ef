"""/gemeente: a municipality's voucher schemes, budgets and vouchers, for signed-in
municipality accounts (pso.web.session; sign in at /inloggen).

Every rule is the vouchers service's (pso.services.vouchers): this module only turns forms
into its calls and its answers (or 409 problems) into pages. The session and account are
looked up again on every request, so logout or revoking the person ends access at once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.formatting import dutch_date
from pso import clock
from pso.db.models import VoucherScheme
from pso.errors import InvalidInput, ProblemError
from pso.http.transaction import provide_db
from pso.schemas.base import parse
from pso.schemas.vouchers import CancellationIn, IssueIn
from pso.services import vouchers as service
from pso.services.voucher_export import vouchers_csv
from pso.services.voucher_status import status_on
from pso.text.dutch_input import number_text
from pso.text.labels import VOUCHER_STATUS_LABELS
from pso.voucher_codes import display
from pso.web import gemeente, gemeente_social_return
from pso.web.charts import budget_chart
from pso.web.forms import Form, field_errors, posted
from pso.web.session import Page

DB = {"db": Provide(provide_db)}
PAGE_SIZE = 25
VOUCHER_STATUS = {status: label.capitalize() for status, label in VOUCHER_STATUS_LABELS.items()}
NO_STORE = {"Cache-Control": "no-store"}


async def _page(request: Request, db: AsyncSession) -> tuple[Page, Any]:
    """The page and, when the visitor may not see it, where to send them instead."""
    page = await Page.load(request, db)
    return page, page.gate("municipality")


@get("/gemeente", dependencies=DB, include_in_schema=False)
async def overview(request: Request, db: AsyncSession) -> Template | Redirect:
    page, stop = await _page(request, db)
    if stop:
        return stop
    assert page.actor is not None
    day = clock.today()
    schemes = await service.list_schemes(db, page.actor)
    figures = await service.figures(db, schemes, day)
    return page.render("web/municipality.html", {
        "schemes": [_scheme_view(s, figures[s.id], day) for s in schemes], "today": day,
        **await gemeente.overview_extra(db, page, schemes)})


# --- one scheme: budget, vouchers, issue and cancel ------------------------------------


def _scheme_view(scheme: VoucherScheme, fig: service.Figures, day: date) -> dict[str, Any]:
    return {"s": scheme, "fig": fig,
            "open": scheme.application_opens_on <= day <= scheme.application_closes_on,
            "chart": budget_chart(fig.budget, fig.committed, fig.redeemed, fig.available)}


async def _scheme_page(page: Page, db: AsyncSession, scheme_id: int, *, status: str = "",
                       number: int = 1, form: dict[str, str] | None = None,
                       errors: dict[str, list[str]] | None = None,
                       code: int = 200) -> Template:
    assert page.actor is not None
    day = clock.today()
    scheme = await service.scheme_for(db, page.actor, scheme_id)
    fig = (await service.figures(db, [scheme], day))[scheme.id]
    vouchers, total = await service.list_vouchers(
        db, scheme, day, status=status or None, page=number, page_size=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return page.render("web/municipality_scheme.html", status=code, context={
        **_scheme_view(scheme, fig, day), "today": day, "status": status,
        "statuses": VOUCHER_STATUS, "page": number, "pages": pages, "total": total,
        "vouchers": [{"code": display(v.code), "v": v, "status": status_on(v, day)}
                     for v in vouchers],
        "form": form or {"kvk": "", "fte": ""}, "errors": errors or {},
        **await gemeente.scheme_extra(db, scheme),
    })


async def _scheme_or_error(page: Page, db: AsyncSession, scheme_id: int,
                           **kw: Any) -> Template | Redirect:
    try:
        return await _scheme_page(page, db, scheme_id, **kw)
    except ProblemError as exc:  # unknown scheme or another municipality's
        return page.redirect("/gemeente", exc.detail)


@get("/gemeente/regelingen/{scheme_id:int}", dependencies=DB, include_in_schema=False)
async def scheme_page(request: Request, db: AsyncSession, scheme_id: int,
                      status: str | None = None, pagina: str | None = None) -> Template | Redirect:
    page, stop = await _page(request, db)
    if stop:
        return stop
    number = int(pagina) if pagina and pagina.isdigit() and 0 < int(pagina) < 100_000 else 1
    return await _scheme_or_error(page, db, scheme_id, number=number,
                                  status=status if status in VOUCHER_STATUS else "")


@get("/gemeente/regelingen/{scheme_id:int}/vouchers.csv", dependencies=DB,
     include_in_schema=False)
async def scheme_csv(request: Request, db: AsyncSession,
                     scheme_id: int) -> Response[bytes] | Template | Redirect:
    page, stop = await _page(request, db)
    if stop:
        return stop
    day = clock.today()
    scheme = await service.scheme_for(db, page.actor, scheme_id)
    vouchers, _ = await service.list_vouchers(db, scheme, day)
    return Response(vouchers_csv(vouchers, day), media_type="text/csv",
                    headers={**NO_STORE, "Content-Disposition":
                             f'attachment; filename="vouchers-regeling-{scheme_id}.csv"'})


@post("/gemeente/regelingen/{scheme_id:int}/vouchers", dependencies=DB,
      include_in_schema=False, status_code=200)
async def issue(request: Request, db: AsyncSession, scheme_id: int) -> Template | Redirect:
    target = f"/gemeente/regelingen/{scheme_id}"
    page, form, stop = await posted(request, db, "municipality", target)
    if stop:
        return stop
    typed = {"kvk": form.text("kvk"), "fte": form.text("fte")}
    try:
        data: IssueIn = parse(IssueIn, {"kvk": typed["kvk"], "fte": number_text(typed["fte"])})
        voucher = await service.issue(db, page.actor, scheme_id, data.kvk, data.fte)
    except InvalidInput as exc:
        return await _scheme_or_error(page, db, scheme_id, form=typed, errors=field_errors(exc),
                                      code=400)
    except ProblemError as exc:  # a rule of the scheme refuses (409), shown at the form
        await db.rollback()
        return await _scheme_or_error(page, db, scheme_id, form=typed,
                                      errors={"issue": [exc.detail]}, code=exc.status)
    return page.redirect(
        target + "#vouchers",
        f"Voucher {display(voucher.code)} uitgegeven aan {voucher.organization.name} "
        f"(KvK {voucher.organization.kvk}), geldig tot en met {dutch_date(voucher.expires_on)}.")


@post("/gemeente/vouchers/{code:str}/intrekking", dependencies=DB, include_in_schema=False,
      status_code=200)
async def cancel(request: Request, db: AsyncSession, code: str) -> Template | Redirect:
    async def act(page: Page, form: Form) -> str:
        data: CancellationIn = parse(CancellationIn, {"reason": form.text("reason") or None})
        voucher = await service.cancel(db, page.actor, code, data.reason)
        return (f"Voucher {display(voucher.code)} is ingetrokken; het bedrag is weer "
                "beschikbaar in het budget.")
    return await gemeente.voucher_action(request, db, "#vouchers", "Niet ingetrokken", act)


ROUTES = [overview, scheme_page, scheme_csv, issue, cancel, *gemeente.ROUTES,
          *gemeente_social_return.ROUTES]
