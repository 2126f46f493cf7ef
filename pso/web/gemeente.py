"""/gemeente, the municipality's management pages (issue 14), next to the overview and the
scheme page of pso.web.municipality: create and edit schemes, decide on companies'
requests, redeem, cancel with a confirmation step, and each voucher's stored PDF.

Forms are named after the API's fields and checked by its models (SchemeIn, SchemePatchIn,
RedemptionIn, RefusalIn, CancellationIn); every rule is pso.services.vouchers'.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.formatting import dutch_date, euro
from pso import clock
from pso.db.models import VoucherScheme
from pso.errors import InvalidInput, ProblemError
from pso.http.transaction import provide_db
from pso.schemas.base import parse
from pso.schemas.vouchers import RedemptionIn, RefusalIn, SchemeIn, SchemePatchIn
from pso.services import municipalities
from pso.services import vouchers as service
from pso.services.voucher_pdf import stored_pdf
from pso.text import municipalities as cbs
from pso.text.dutch_input import date_text, number_text
from pso.voucher_codes import display
from pso.web.forms import Form, field_errors, field_id, posted
from pso.web.session import Page

DB = {"db": Provide(provide_db)}
NO_STORE = {"Cache-Control": "no-store"}
SCHEME_FIELDS = ("title", "voucherAmount", "budget", "applicationOpensOn",
                 "applicationClosesOn", "voucherValidityDays", "maxFte",
                 "eligibleMunicipalityCodes")
PLACES = "eligibleMunicipalityCodes"


async def _page(request: Request, db: AsyncSession) -> tuple[Page, Any]:
    page = await Page.load(request, db)
    return page, page.gate("municipality")


def _errors(exc: InvalidInput) -> dict[str, list[str]]:
    """Reasons by form field, each once (every code of a list may fail alike)."""
    found = field_errors(exc, lambda name: name.split("[")[0])
    return {name: list(dict.fromkeys(reasons)) for name, reasons in found.items()}


def _parse_scheme(model: Any, typed: dict[str, Any], *, partial: bool, **extra: Any) -> Any:
    """The API model of the typed form. Municipalities are typed by name; a name that is
    no municipality is refused here, in words, with the model's other refusals."""
    codes, reasons = cbs.find_all(typed[PLACES])
    if not typed[PLACES].strip() and not partial:
        reasons = ["Noem minstens één gemeente."]
    problems = [{"name": PLACES, "reason": r} for r in reasons]
    try:
        data = parse(model, {**_scheme_body(typed, codes, partial=partial), **extra})
    except InvalidInput as exc:
        kept = [p for p in exc.invalid_params or []
                if not (problems and p["name"].startswith(PLACES))]
        raise InvalidInput(kept + problems) from exc
    if problems:
        raise InvalidInput(problems)
    return data


# --- create and edit a scheme ------------------------------------------------------------


def _typed(form: Form) -> dict[str, Any]:
    typed: dict[str, Any] = {f: form.text(f) for f in SCHEME_FIELDS}
    typed["requiresApproval"] = form.flag("requiresApproval")
    return typed


def _scheme_body(typed: dict[str, Any], codes: list[str], *, partial: bool) -> dict[str, Any]:
    """The API body of the typed form (Dutch notation made plain)."""
    body: dict[str, Any] = {
        "title": typed["title"],
        "voucherAmount": number_text(typed["voucherAmount"], money=True),
        "budget": number_text(typed["budget"], money=True),
        "applicationOpensOn": date_text(typed["applicationOpensOn"]),
        "applicationClosesOn": date_text(typed["applicationClosesOn"]),
        "maxFte": number_text(typed["maxFte"]),
        PLACES: codes,
        "requiresApproval": typed["requiresApproval"],
    }
    days = typed["voucherValidityDays"]
    body["voucherValidityDays"] = int(days) if days.isdigit() and len(days) < 6 else days
    if partial:
        body = {k: v for k, v in body.items() if v not in ("", [])}
    return body


def _form_of(scheme: VoucherScheme) -> dict[str, Any]:
    return {"title": scheme.title, "voucherAmount": f"{scheme.voucher_amount:.2f}".replace(".", ","),
            "budget": f"{scheme.budget:.2f}".replace(".", ","),
            "applicationOpensOn": scheme.application_opens_on.isoformat(),
            "applicationClosesOn": scheme.application_closes_on.isoformat(),
            "voucherValidityDays": str(scheme.voucher_validity_days),
            "maxFte": f"{scheme.max_fte:.2f}".replace(".", ","),
            PLACES: cbs.listed(scheme.eligible_municipality_codes),
            "requiresApproval": scheme.requires_approval}


async def _edit_form(page: Page, db: AsyncSession, scheme: VoucherScheme, form: dict[str, Any],
                     errors: dict[str, list[str]] | None = None, status: int = 200) -> Template:
    fig = (await service.figures(db, [scheme], clock.today()))[scheme.id]
    return _scheme_form(page, form=form, scheme=scheme, errors=errors, status=status,
                        committed=fig.committed)


def _scheme_form(page: Page, *, form: dict[str, Any], scheme: VoucherScheme | None = None,
                 errors: dict[str, list[str]] | None = None, status: int = 200,
                 committed: Any = None) -> Template:
    return page.render("web/gemeente/scheme_form.html", status=status, context={
        "form": form, "scheme": scheme, "errors": errors or {}, "fid": field_id,
        "committed": committed})


@get("/gemeente/regelingen/nieuw", dependencies=DB, include_in_schema=False)
async def new_scheme(request: Request, db: AsyncSession) -> Template | Redirect:
    page, stop = await _page(request, db)
    if stop:
        return stop
    day = clock.today()
    assert page.actor is not None
    code = page.actor.municipality_code or ""
    return _scheme_form(page, form={
        "title": "", "voucherAmount": "", "budget": "", "applicationOpensOn": day.isoformat(),
        "applicationClosesOn": day.replace(month=12, day=31).isoformat(),
        "voucherValidityDays": "180", "maxFte": "249,99", PLACES: cbs.listed([code] if code else []),
        "requiresApproval": True})


@post("/gemeente/regelingen", dependencies=DB, include_in_schema=False, status_code=200)
async def create_scheme(request: Request, db: AsyncSession) -> Template | Redirect:
    page, form, stop = await posted(request, db, "municipality", "/gemeente/regelingen/nieuw")
    if stop:
        return stop
    assert page.actor is not None
    typed = _typed(form)
    try:
        data: SchemeIn = _parse_scheme(SchemeIn, typed, partial=False,
                                       municipalityCode=page.actor.municipality_code)
        scheme = await service.create_scheme(db, page.actor, data.model_dump(by_alias=False))
    except InvalidInput as exc:
        return _scheme_form(page, form=typed, errors=_errors(exc), status=400)
    return page.redirect(f"/gemeente/regelingen/{scheme.id}",
                         f"Regeling '{scheme.title}' aangemaakt.")


@get("/gemeente/regelingen/{scheme_id:int}/wijzigen", dependencies=DB, include_in_schema=False)
async def edit_scheme(request: Request, db: AsyncSession, scheme_id: int) -> Template | Redirect:
    page, stop = await _page(request, db)
    if stop:
        return stop
    try:
        scheme = await service.scheme_for(db, page.actor, scheme_id)
    except ProblemError as exc:
        return page.redirect("/gemeente", exc.detail)
    return await _edit_form(page, db, scheme, _form_of(scheme))


@post("/gemeente/regelingen/{scheme_id:int}/wijzigen", dependencies=DB,
      include_in_schema=False, status_code=200)
async def update_scheme(request: Request, db: AsyncSession,
                        scheme_id: int) -> Template | Redirect:
    target = f"/gemeente/regelingen/{scheme_id}"
    page, form, stop = await posted(request, db, "municipality", target + "/wijzigen")
    if stop:
        return stop
    typed = _typed(form)
    try:
        scheme = await service.scheme_for(db, page.actor, scheme_id)
    except ProblemError as exc:
        return page.redirect("/gemeente", exc.detail)
    try:
        data: SchemePatchIn = _parse_scheme(SchemePatchIn, typed, partial=True)
        await service.update_scheme(db, page.actor, scheme_id, data.changes())
    except ProblemError as exc:  # invalid input, or the budget below what is committed
        await db.rollback()
        scheme = await service.scheme_for(db, page.actor, scheme_id)
        errors = _errors(exc) if isinstance(exc, InvalidInput) else {"budget": [exc.detail]}
        return await _edit_form(page, db, scheme, typed, errors, exc.status)
    return page.redirect(target, "De regeling is gewijzigd.")


# --- requests, redemption, cancellation -------------------------------------------------


def back_to(form: Form) -> str:
    """The page a voucher's form was sent from: one scheme's page, else the overview."""
    back = form.text("back")
    return back if back.startswith("/gemeente/regelingen/") and back[21:].isdigit() \
        else "/gemeente"


async def voucher_action(request: Request, db: AsyncSession, section: str, failed: str,
                         act: Callable[[Page, Form], Awaitable[str]]) -> Template | Redirect:
    """A button on one voucher (approve, refuse, cancel): `act` calls the service and says what
    it did; a refusal goes back as "`failed`: why". Either way to the `section` of the page
    the button was on."""
    page, form, stop = await posted(request, db, "municipality", back_to)
    if stop:
        return stop
    target = back_to(form) + section
    try:
        message = await act(page, form)
    except ProblemError as exc:
        await db.rollback()
        return page.redirect(target, f"{failed}: {exc.detail}")
    return page.redirect(target, message)


@post("/gemeente/vouchers/{code:str}/goedkeuring", dependencies=DB, include_in_schema=False,
      status_code=200)
async def approve(request: Request, db: AsyncSession, code: str) -> Template | Redirect:
    async def act(page: Page, form: Form) -> str:
        voucher = await service.approve(db, page.actor, code)
        return (f"Aanvraag van {voucher.organization.name} goedgekeurd: voucher "
                f"{display(voucher.code)}, geldig tot en met {dutch_date(voucher.expires_on)}.")
    return await voucher_action(request, db, "#aanvragen", "Niet goedgekeurd", act)


@post("/gemeente/vouchers/{code:str}/weigering", dependencies=DB, include_in_schema=False,
      status_code=200)
async def refuse(request: Request, db: AsyncSession, code: str) -> Template | Redirect:
    async def act(page: Page, form: Form) -> str:
        data: RefusalIn = parse(RefusalIn, {"reason": form.text("reason") or None})
        voucher = await service.refuse(db, page.actor, code, data.reason)
        return (f"Aanvraag van {voucher.organization.name} geweigerd; het bedrag is weer "
                "beschikbaar in het budget.")
    return await voucher_action(request, db, "#aanvragen", "Niet geweigerd", act)


async def _voucher_page(page: Page, db: AsyncSession, code: str, template: str,
                        **context: Any) -> Template | Redirect:
    try:
        voucher = await service.voucher_for(db, page.actor, code)
    except ProblemError as exc:
        return page.redirect("/gemeente", exc.detail)
    day = clock.today()
    return page.render(template, status=context.pop("status", 200), context={
        "v": voucher, "code": display(voucher.code), "status": service.status_on(voucher, day),
        "fid": field_id, "errors": {}, "form": {}, **context})


@get("/gemeente/vouchers/{code:str}/intrekken", dependencies=DB, include_in_schema=False)
async def confirm_cancel(request: Request, db: AsyncSession, code: str) -> Template | Redirect:
    """The confirmation step: what is withdrawn, and the button that really does it."""
    page, stop = await _page(request, db)
    return stop or await _voucher_page(page, db, code, "web/gemeente/cancel.html")


@get("/gemeente/vouchers/{code:str}/verzilveren", dependencies=DB, include_in_schema=False)
async def redeem_form(request: Request, db: AsyncSession, code: str) -> Template | Redirect:
    page, stop = await _page(request, db)
    return stop or await _voucher_page(page, db, code, "web/gemeente/redeem.html")


@post("/gemeente/vouchers/{code:str}/verzilvering", dependencies=DB, include_in_schema=False,
      status_code=200)
async def redeem(request: Request, db: AsyncSession, code: str) -> Template | Redirect:
    page, form, stop = await posted(request, db, "municipality",
                                    f"/gemeente/vouchers/{code}/verzilveren")
    if stop:
        return stop
    typed = {k: form.text(k) for k in ("invoiceAmount", "certificateNumber", "assessmentId")}
    body: dict[str, Any] = {"invoiceAmount": number_text(typed["invoiceAmount"], money=True)}
    if typed["certificateNumber"]:
        body["certificateNumber"] = typed["certificateNumber"].upper()
    if typed["assessmentId"]:
        body["assessmentId"] = (int(typed["assessmentId"]) if typed["assessmentId"].isdigit()
                                and len(typed["assessmentId"]) < 11 else typed["assessmentId"])
    try:
        data: RedemptionIn = parse(RedemptionIn, body)
        if data.certificate_number is None and data.assessment_id is None:
            reason = "Geef het certificaatnummer of het nummer van de aanvraag als bewijs."
            raise InvalidInput([{"name": "certificateNumber", "reason": reason}])
        voucher = await service.redeem(db, page.actor, code, data.invoice_amount,
                                       certificate_number=data.certificate_number,
                                       assessment_id=data.assessment_id)
    except InvalidInput as exc:
        return await _voucher_page(page, db, code, "web/gemeente/redeem.html", form=typed,
                                   errors=_errors(exc), status=400)
    except ProblemError as exc:
        await db.rollback()
        return await _voucher_page(page, db, code, "web/gemeente/redeem.html", form=typed,
                                   errors={"redeem": [exc.detail]}, status=exc.status)
    return page.redirect(f"/gemeente/regelingen/{voucher.scheme_id}#vouchers",
                         f"Voucher {display(voucher.code)} verzilverd: "
                         f"{euro(voucher.redeemed_amount)} uitbetaald.")


@get("/gemeente/vouchers/{code:str}/pdf", dependencies=DB, include_in_schema=False)
async def voucher_pdf(request: Request, db: AsyncSession,
                      code: str) -> Response[bytes] | Template | Redirect:
    page, stop = await _page(request, db)
    if stop:
        return stop
    try:
        voucher = await service.voucher_for(db, page.actor, code)
        body = await stored_pdf(db, voucher, clock.today())
    except ProblemError as exc:
        return page.redirect("/gemeente", exc.detail)
    return Response(body, media_type="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'inline; filename="voucher-{voucher.code}.pdf"'})


# --- what the overview and scheme pages add -------------------------------------------


async def overview_extra(db: AsyncSession, page: Page, schemes: list[VoucherScheme]) -> dict:
    day = clock.today()
    soon = await service.expiring(db, page.actor, day)
    names = await municipalities.names(db, [s.municipality_code for s in schemes]
                                       + [v.organization.municipality_code for v in soon])
    return {"expiring": [{"v": v, "code": display(v.code), "status": service.status_on(v, day)}
                         for v in soon], "names": names}


async def scheme_extra(db: AsyncSession, scheme: VoucherScheme) -> dict:
    from pso.web.charts import uptake_chart

    day = clock.today()
    requests = await service.open_requests(db, scheme)
    codes = [scheme.municipality_code, *scheme.eligible_municipality_codes,
             *(v.organization.municipality_code for v in requests)]
    names = await municipalities.names(db, codes)
    return {"requests": [{"v": v, "code": display(v.code)} for v in requests],
            "uptake": uptake_chart(await service.uptake_by_month(db, scheme, day)),
            "names": names, "size": municipalities.size_limit(scheme.max_fte)}


ROUTES = [new_scheme, create_scheme, edit_scheme, update_scheme, approve, refuse,
          confirm_cancel, redeem_form, redeem, voucher_pdf]
