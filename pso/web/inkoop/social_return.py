"""/inkoop/aanbestedingen/{id}/social-return: the buyer records the SROI terms after the award
(SPEC §8.2). The form is checked by the API's own model (SocialReturnIn) and saved by the
service, so page and API refuse and compute alike."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.formatting import euro
from pso import clock
from pso.errors import InvalidInput, ProblemError
from pso.http.downloads import attachment
from pso.http.transaction import provide_db
from pso.schemas.base import parse
from pso.schemas.social_return import ReviewIn, SocialReturnIn
from pso.services import social_return
from pso.services import social_return_documents as evidence
from pso.services import social_return_lines as lines
from pso.services.social_return_settlement import settlement_of
from pso.text.dutch_input import date_text, number_text
from pso.web.charts import progress_chart
from pso.web.forms import error_summary, field_errors, field_id, posted
from pso.web.session import Page
from pso.web.tender import DECLARED
from sroi.model import KIND_LABELS

DB = {"db": Provide(provide_db)}
STATUS_TEXT = {"submitted": "Wacht op beoordeling", "accepted": "Geaccepteerd",
               "rejected": "Afgewezen"}
FIELDS = ("contractSum", "basis", "ratePct", "cap", "fixedAmount", "modelId", "periodStart",
          "periodEnd", "settlement.rule", "settlement.factor", "settlement.percentage")
BASIS = {"rate": "Percentage van de contractsom", "fixed": "Vast bedrag"}
RULES = {"penalty": "Boete: tekort maal een factor", "buyout": "Afkoopsom: een percentage van "
         "het tekort"}
LABELS = {"contractSum": "Contractsom", "basis": "Verplichting als", "ratePct": "Percentage",
          "cap": "Maximum", "fixedAmount": "Vast bedrag", "modelId": "Waarderingsmodel",
          "periodStart": "Begin van de periode", "periodEnd": "Einde van de periode",
          "settlement.rule": "Afrekenregel", "settlement.factor": "Factor",
          "settlement.percentage": "Percentage afkoopsom", "settlement": "Afrekenregel",
          "reductions": "Korting per trede", "terms": "Afspraken",
          "settle": "Afrekenen", "settle.reason": "Reden om eerder af te rekenen",
          "settle.confirm": "Bevestiging"}


def _text(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}".replace(".", ",")


def _form(award: Any, terms: Any) -> dict[str, Any]:
    if terms is None:
        default = social_return.models()
        return {"contractSum": _text(award.price), "basis": "rate", "ratePct": "5", "cap": "",
                "fixedAmount": "", "modelId": default[0].id if default else "",
                "periodStart": award.contract_start.isoformat(),
                "periodEnd": award.contract_end.isoformat(), "settlement.rule": "penalty",
                "settlement.factor": "1", "settlement.percentage": "",
                "reductions": {"trede2": "100", "trede3": "100"}}
    return {"contractSum": _text(terms.contract_sum),
            "basis": "fixed" if terms.fixed_amount is not None else "rate",
            "ratePct": _text(terms.rate_pct), "cap": _text(terms.cap),
            "fixedAmount": _text(terms.fixed_amount), "modelId": terms.model_id,
            "periodStart": terms.period_start.isoformat(),
            "periodEnd": terms.period_end.isoformat(),
            "settlement.rule": terms.settlement["rule"],
            "settlement.factor": terms.settlement.get("factor", "").replace(".", ","),
            "settlement.percentage": _text(Decimal(terms.settlement["percentage"]))
            if "percentage" in terms.settlement else "",
            "reductions": {k: _text(Decimal(v)) for k, v in terms.reductions.items()}}


def _settling(name: str) -> bool:
    """An error of the settlement form ("settle", "settle.reason"), not of the terms form's
    "settlement.rule" and the like."""
    return name == "settle" or name.startswith("settle.")


def _label(name: str) -> str:
    if name.startswith("line-"):
        return "Regel " + name[5:]
    if name.startswith("reductions."):
        return "Korting " + DECLARED.get(name[11:], name[11:])
    return LABELS.get(name, name)


async def _render(page: Page, db: AsyncSession, tender_id: int, *,
                  form: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None,
                  status: int = 200,
                  settle_form: dict[str, Any] | None = None) -> Template | Redirect:
    assert page.actor is not None
    try:
        tender, award, terms = await social_return.find(db, page.actor, tender_id)
    except ProblemError as exc:
        return page.redirect("/inkoop", exc.detail)
    model = social_return.model_of(terms) if terms is not None else None
    rows = await lines.lines_of(db, tender.id) if terms else []
    found = lines.valued(terms, rows) if terms else []
    today = clock.today()
    progress = lines.progress_of(terms, rows, today) if terms else None
    errors = errors or {}
    return page.render("web/inkoop/social_return.html", status=status, context={
        "t": tender, "award": award, "terms": terms, "model": model, "lines": found,
        "sums": lines.totals(found), "status_text": STATUS_TEXT, "progress": progress,
        "chart": progress_chart(progress, today) if progress else None,
        "warnings": social_return.warnings(award, terms) if terms and award else [],
        "form": form or (_form(award, terms) if award else {}), "errors": errors,
        "summary": error_summary({k: v for k, v in errors.items()
                                  if not _settling(k)}, _label), "fid": field_id,
        "settle_summary": error_summary({k: v for k, v in errors.items()
                                         if _settling(k)}, _label), "declared": DECLARED,
        "basis": BASIS, "rules": RULES, "kind_labels": KIND_LABELS,
        "models": {m.id: m.name for m in await social_return.choosable(db, page.actor)},
        "settlement": await settlement_of(db, tender.id) if terms else None,
        "documents": await evidence.of_contract(db, page.actor, tender.id) if terms else {},
        "today": clock.today(), "settle_form": settle_form or {},
    })


@get("/inkoop/aanbestedingen/{tender_id:int}/social-return", dependencies=DB,
     include_in_schema=False)
async def terms_page(request: Request, db: AsyncSession, tender_id: int) -> Template | Redirect:
    page = await Page.load(request, db)
    return page.gate("procurement") or await _render(page, db, tender_id)


def _body(typed: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"modelId": typed["modelId"], "reductions": {
        r: number_text(v) for r, v in typed["reductions"].items() if v}}
    if typed["contractSum"]:
        body["contractSum"] = number_text(typed["contractSum"], money=True)
    if typed["basis"] == "fixed":
        body["fixedAmount"] = number_text(typed["fixedAmount"], money=True)
    else:
        for name in ("ratePct", "cap"):
            if typed[name]:
                body[name] = number_text(typed[name], money=name == "cap")
    for name in ("periodStart", "periodEnd"):
        if typed[name]:
            body[name] = date_text(typed[name])
    rule = typed["settlement.rule"]
    settlement = {"rule": rule}
    extra = "percentage" if rule == "buyout" else "factor"
    if typed[f"settlement.{extra}"]:
        settlement[extra] = number_text(typed[f"settlement.{extra}"])
    body["settlement"] = settlement
    return body


@post("/inkoop/aanbestedingen/{tender_id:int}/social-return", dependencies=DB,
      include_in_schema=False, status_code=200)
async def save_terms(request: Request, db: AsyncSession, tender_id: int) -> Template | Redirect:
    target = f"/inkoop/aanbestedingen/{tender_id}/social-return"
    page, form, stop = await posted(request, db, "procurement", target)
    if stop:
        return stop
    typed: dict[str, Any] = {f: form.text(f) for f in FIELDS}
    typed["reductions"] = {r: form.text(f"reductions.{r}") for r in DECLARED}
    try:
        data: SocialReturnIn = parse(SocialReturnIn, _body(typed))
        terms = await social_return.set_terms(db, page.actor, tender_id, data.terms())
    except InvalidInput as exc:
        await db.rollback()
        return await _render(page, db, tender_id, form=typed, errors=field_errors(exc),
                             status=400)
    except ProblemError as exc:
        await db.rollback()
        if exc.status == 404:
            return page.redirect("/inkoop", exc.detail)
        return await _render(page, db, tender_id, form=typed, status=exc.status,
                             errors={"terms": [exc.detail]})
    return page.redirect(target, "Social-return-afspraken vastgelegd: de opdrachtnemer "
                         f"realiseert {euro(terms.remaining)}.")


@post("/inkoop/aanbestedingen/{tender_id:int}/social-return/regels/{line_id:int}",
      dependencies=DB, include_in_schema=False, status_code=200)
async def review_line(request: Request, db: AsyncSession, tender_id: int,
                      line_id: int) -> Template | Redirect:
    target = f"/inkoop/aanbestedingen/{tender_id}/social-return"
    page, form, stop = await posted(request, db, "procurement", target)
    if stop:
        return stop
    decision = "accepted" if form.text("decision") == "accepted" else "rejected"
    reason = form.text("reason")[:500] or None
    try:
        data: ReviewIn = parse(ReviewIn, {"decision": decision, "reason": reason})
        await lines.review(db, page.actor, tender_id, line_id, data.decision, data.reason)
    except ProblemError as exc:
        await db.rollback()
        if exc.status == 404 and "aanbesteding" in (exc.detail or ""):
            return page.redirect("/inkoop", exc.detail)
        errors = field_errors(exc) if exc.invalid_params else {"reason": [exc.detail]}
        return await _render(page, db, tender_id, status=exc.status,
                             errors={f"line-{line_id}": [r for v in errors.values()
                                                         for r in v]})
    done = "geaccepteerd" if decision == "accepted" else "afgewezen"
    return page.redirect(f"{target}#regels", f"Regel {line_id} {done}.")


@get("/inkoop/aanbestedingen/{tender_id:int}/social-return/regels/{line_id:int}/bewijs/"
     "{document_id:int}", dependencies=DB, include_in_schema=False)
async def evidence_file(request: Request, db: AsyncSession, tender_id: int, line_id: int,
                        document_id: int) -> Response[bytes] | Template | Redirect:
    """An evidence document of a line, always as a download (never shown inline)."""
    page = await Page.load(request, db)
    if (stop := page.gate("procurement")) is not None:
        return stop
    try:
        view, data = await evidence.read(db, page.actor, tender_id, line_id, document_id)
    except ProblemError as exc:
        return page.redirect(f"/inkoop/aanbestedingen/{tender_id}/social-return#regels",
                             exc.detail)
    return attachment(view, data)


ROUTES = [terms_page, save_terms, review_line, evidence_file]
