"""/mijn/vouchers: apply for a municipal voucher for the schemes open to the organisation.

The rules are the vouchers service's (`open_schemes`, `eligibility`, `issue`): the same
checks issuing makes, one voucher per organisation per scheme, the budget. When a scheme
needs the municipality's approval, `issue` answers with a requested voucher instead."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.formatting import dutch_date, euro
from pso import clock
from pso.db.models import VoucherStatus
from pso.errors import ProblemError
from pso.schemas.base import parse
from pso.schemas.vouchers import IssueIn
from pso.services import municipalities, portal
from pso.services import vouchers as service
from pso.services.voucher_pdf import NOT_ISSUED, stored_pdf
from pso.text.dutch_input import number_text
from pso.voucher_codes import display
from pso.web.mijn.common import DB, Mijn, errors_by_field, load, load_form
from pso.web.mijn.dashboard import vouchers_of


async def _schemes(mijn: Mijn, db: AsyncSession) -> list[dict[str, Any]]:
    """Open schemes with, for each, why the organisation cannot apply (None: it can) —
    the vouchers service's own rule (`eligibility`, the size asked in the form)."""
    day = clock.today()
    schemes = await service.open_schemes(db, mijn.actor, day)
    names = await municipalities.names(db, [s.municipality_code for s in schemes])
    return [{"s": scheme, "municipality": names.get(scheme.municipality_code,
                                                     scheme.municipality_code),
             "size": municipalities.size_limit(scheme.max_fte),
             "reason": await service.eligibility(db, scheme, mijn.kvk, None, day)}
            for scheme in schemes]


async def _size(db: AsyncSession, mijn: Mijn) -> str:
    """The FTE of the latest application, as a suggestion for the form."""
    apps = await portal.applications(db, mijn.org)
    if not apps:
        return ""
    size = apps[0].score.get("sizeFte")
    return str(size).replace(".", ",") if size is not None else ""


async def _page(mijn: Mijn, db: AsyncSession, *, errors: dict[int, list[str]] | None = None,
                typed: dict[int, str] | None = None, status: int = 200) -> Template:
    return mijn.render("web/mijn/vouchers.html", {
        "schemes": await _schemes(mijn, db), "vouchers": await vouchers_of(db, mijn.org),
        "errors": errors or {}, "typed": typed or {}, "size": await _size(db, mijn),
        "not_issued": NOT_ISSUED},
        status=status)


@get("/mijn/vouchers", dependencies=DB, include_in_schema=False)
async def vouchers_page(request: Request, db: AsyncSession) -> Template | Redirect:
    mijn, stop = await load(request, db, registered=True)
    if mijn is None:
        return stop
    return await _page(mijn, db)


@post("/mijn/vouchers/{scheme_id:int}", dependencies=DB, include_in_schema=False,
      status_code=200)
async def apply(request: Request, db: AsyncSession, scheme_id: int) -> Template | Redirect:
    mijn, form, stop = await load_form(request, db, "/mijn/vouchers", registered=True)
    if mijn is None:
        return stop
    fte = form.text("fte")
    try:
        data: IssueIn = parse(IssueIn, {"kvk": mijn.kvk, "fte": number_text(fte)})
        voucher = await service.issue(db, mijn.actor, scheme_id, data.kvk, data.fte)
    except ProblemError as exc:
        await mijn.rollback(db)
        errors = errors_by_field(exc)
        reasons = [r for rs in errors.values() for r in rs]
        if exc.status == 404:
            reasons = ["Deze regeling bestaat niet (meer)."]
        return await _page(mijn, db, errors={scheme_id: reasons}, typed={scheme_id: fte},
                           status=exc.status)
    if voucher.status == VoucherStatus.REQUESTED:
        message = (f"Uw aanvraag voor voucher {display(voucher.code)} is ingediend; de gemeente "
                   "beoordeelt haar.")
    else:
        message = (f"Voucher {display(voucher.code)} is toegekend: {euro(voucher.amount)}, "
                   f"geldig tot en met {dutch_date(voucher.expires_on)}.")
    return mijn.page.redirect("/mijn/vouchers", message)


@get("/mijn/vouchers/{code:str}/pdf", dependencies=DB, include_in_schema=False)
async def voucher_pdf(request: Request, db: AsyncSession,
                      code: str) -> Response[bytes] | Template | Redirect:
    """The holder's voucher PDF, the same stored document the municipality hands out: the
    certifying body needs it with its invoice."""
    mijn, stop = await load(request, db, registered=True)
    if mijn is None:
        return stop
    try:
        voucher = await service.voucher_for(db, mijn.actor, code[:64])
        body = await stored_pdf(db, voucher, clock.today())
    except ProblemError as exc:
        return mijn.page.redirect("/mijn/vouchers", f"Niet gedownload: {exc.detail}")
    return Response(body, media_type="application/pdf", headers={
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="voucher-{voucher.code}.pdf"'})


ROUTES = [vouchers_page, apply, voucher_pdf]
