"""Queue and review page of the workbench: take an application, ask the company a
question, correct the data (diff and rescored result before saving), and decide."""

from __future__ import annotations

import copy
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.formatting import rung_label
from pso.db.models import Assessment, AssessmentStatus
from pso.errors import InvalidInput, NotFound, ProblemError
from pso.http.downloads import attachment
from pso.schemas.assessments import CorrectionIn, DecisionIn, InformationRequestIn
from pso.schemas.base import parse
from pso.services import bodies, documents
from pso.services import certification as service
from pso.text.dutch_input import number_text
from pso.text.labels import (
    CONTRACT_TYPE_LABELS,
    QUALITY_LABELS,
    STARTING_POSITION_LABELS,
    SUPPLIER_KIND_LABELS,
)
from pso.text.refusals import field_label
from pso.web.beoordeling.common import ACTION_LABELS, DB, status_label, workbench
from pso.web.forms import Form, posted
from pso.web.session import Page

SAMPLE_SIZES = (3, 5, 10, 20)
EMPLOYEE_EDITS = ("hoursPerWeek", "startingPosition", "contractType", "employmentStart",
                  "employmentEnd")
MAX_EDIT_ROWS = 200


def _base(aid: int) -> str:
    return f"/beoordeling/aanvragen/{aid}"


@get("/beoordeling", dependencies=DB, include_in_schema=False)
async def queue(request: Request, db: AsyncSession) -> Template | Redirect:
    page, stop = await workbench(request, db)
    if stop:
        return stop
    actor = page.actor
    rows, _ = await service.list_for(db, actor, status=",".join(service.OPEN), kvk=None,
                                     page=1, page_size=200)
    groups: dict[str, list[dict[str, Any]]] = {"new": [], "mine": [], "info": [], "decide": []}
    for a in sorted(rows, key=lambda a: a.id):
        item = {"a": a, "rung": a.score.get("rung")}
        if a.status == AssessmentStatus.SUBMITTED:
            groups["new"].append(item)
        elif a.status == AssessmentStatus.INFORMATION_REQUESTED:
            groups["info"].append(item)
        elif service.review_completed(a):
            # Handed over: the colleague who may decide sees it here; the reviewer too,
            # when the body lets one auditor do both.
            groups["decide"].append(item)
        else:
            groups["mine"].append(item)
    body = await bodies.get_view(db, actor.party_id)
    return page.render("web/beoordeling/queue.html", {"groups": groups, "body": body})


async def _load(page: Page, db: AsyncSession, aid: int) -> Assessment:
    return await service.get_for(db, page.actor, aid)


FIELD_LABELS = {
    "totalFte": "Totaal FTE", "fullTimeHoursPerWeek": "Voltijdweek (uren)",
    "hoursPerWeek": "uren per week", "startingPosition": "uitgangspositie",
    "contractType": "contract", "employmentStart": "in dienst", "employmentEnd": "uit dienst",
    "reference": "referentie", "invoiceAmount": "factuurbedrag", "period.start": "Begin periode",
    "period.end": "Einde periode", "wageSubsidyUntil": "loonkostensubsidie tot",
    "wswIndicationUntil": "Wsw-indicatie tot", "schoolLeftOn": "school verlaten op",
    "inTargetGroupRegister": "doelgroepregister",
}
_PATH = re.compile(r"^(employees|purchases)\[(\d+)\](?:\.(\w+))?$")


def _value(field: str, value: Any) -> str:
    if value is None:
        return "—"
    if field.endswith("startingPosition"):
        return STARTING_POSITION_LABELS.get(value, str(value))
    if field.endswith("contractType"):
        return CONTRACT_TYPE_LABELS.get(value, str(value))
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dict):
        return value.get("reference") or value.get("supplierName") or "(regel)"
    return str(value).replace(".", ",") if isinstance(value, (int, float, Decimal)) else str(value)


def labelled(changes: list[dict[str, Any]], submission: dict[str, Any]) -> list[dict[str, str]]:
    """Field paths (employees[0].hoursPerWeek) as people read them (mw-000: uren per week)."""
    rows = []
    for c in changes:
        if "label" in c:  # already readable (services/submission_diff.py)
            rows.append(c)
            continue
        field = c.get("field", "")
        m = _PATH.match(field)
        if m:
            items = submission.get(m[1]) or []
            i = int(m[2])
            item = items[i] if i < len(items) and isinstance(items[i], dict) else {}
            who = item.get("reference") or item.get("supplierName") or f"regel {i + 1}"
            label = f"{who}: {FIELD_LABELS.get(m[3], m[3])}" if m[3] else \
                f"{who} ({'medewerker' if m[1] == 'employees' else 'inkoop'})"
        else:
            label = FIELD_LABELS.get(field, field).capitalize()
        rows.append({"label": label, "before": _value(field, c.get("before")),
                     "after": _value(field, c.get("after"))})
    return rows


def _employees(assessment: Assessment) -> list[dict[str, Any]]:
    """The submitted employees next to their scored line."""
    scored = {e.get("reference"): e for e in assessment.score.get("employees", [])}
    rows = []
    for i, e in enumerate(assessment.submission.get("employees") or []):
        s = scored.get(e.get("reference"), {})
        rows.append({"i": i, "e": e, "s": s,
                     "position": STARTING_POSITION_LABELS.get(e.get("startingPosition"),
                                                              e.get("startingPosition")),
                     "contract": CONTRACT_TYPE_LABELS.get(e.get("contractType"),
                                                          e.get("contractType"))})
    return rows


def _purchases(assessment: Assessment) -> list[dict[str, Any]]:
    scored = assessment.score.get("purchases", [])
    return [{"p": p, "s": scored[i] if i < len(scored) else {},
             "kind": SUPPLIER_KIND_LABELS.get(p.get("supplierKind"), "Onbekende soort")}
            for i, p in enumerate(assessment.submission.get("purchases") or [])]


def _quality(assessment: Assessment) -> list[dict[str, Any]]:
    """Each quality criterion as the company answered it, with its motivation (the wizard
    tells the company the auditor asks about it)."""
    answers = assessment.submission.get("quality") or {}
    motivations = assessment.motivations or {}
    return [{"label": label, "question": question, "answer": answers.get(key),
             "motivation": motivations.get(key) or ""}
            for key, (label, question) in QUALITY_LABELS.items()
            if key in answers or key in motivations]


async def _review_page(page: Page, db: AsyncSession, aid: int, *, size: int = 5,
                       errors: dict[str, str] | None = None, typed: dict[str, str] | None = None,
                       code: int = 200) -> Template:
    actor = page.actor
    assessment = await _load(page, db, aid)
    events = await service.history(db, aid)
    return page.render("web/beoordeling/review.html", status=code, context={
        "a": assessment, "status_label": status_label(assessment),
        "employees": _employees(assessment), "purchases": _purchases(assessment),
        "documents": await documents.list_for(db, actor, aid),
        "sample": service.sample(assessment, size), "sizes": SAMPLE_SIZES, "size": size,
        "history": [{"e": e, "label": ACTION_LABELS.get(e.action, e.action),
                     "changes": labelled(e.summary.get("changes") or [], assessment.submission)}
                    for e in events],
        "quality": _quality(assessment),
        "subsidiaries": list(assessment.organization.subsidiaries),
        "is_reviewer": assessment.reviewer_key == actor.key,
        "completed": service.review_completed(assessment),
        "may_decide": await service.may_decide(db, actor, assessment),
        "separate": await bodies.separate_decision(db, assessment.certifying_body_id),
        "errors": errors or {}, "typed": typed or {},
    })


@get("/beoordeling/aanvragen/{aid:int}", dependencies=DB, include_in_schema=False)
async def review_page(request: Request, db: AsyncSession, aid: int,
                      steekproef: str | None = None) -> Template | Redirect:
    page, stop = await workbench(request, db)
    if stop:
        return stop
    size = int(steekproef) if steekproef and steekproef.isdigit() and 0 < int(steekproef) <= 100 \
        else 5
    try:
        return await _review_page(page, db, aid, size=size)
    except NotFound as exc:
        return page.redirect("/beoordeling", exc.detail)


async def _action(request: Request, db: AsyncSession, aid: int, run) -> Template | Redirect:
    """A POST on one application: CSRF, the service call, and its refusal on the page."""
    page, form, stop = await posted(request, db, "auditor", _base(aid))
    if stop:
        return stop
    try:
        return await run(page, form)
    except InvalidInput as exc:
        await db.rollback()
        errors = {p["name"]: p["reason"] for p in exc.invalid_params or []}
        return await _review_page(page, db, aid, errors=errors,
                                  typed={k: form.text(k) for k in ("message", "reason")},
                                  code=400)
    except NotFound as exc:
        await db.rollback()
        return page.redirect("/beoordeling", exc.detail)
    except ProblemError as exc:
        await db.rollback()
        return page.redirect(_base(aid), f"Niet gelukt: {exc.detail}")


@post("/beoordeling/aanvragen/{aid:int}/in-behandeling", dependencies=DB,
      include_in_schema=False, status_code=200)
async def take(request: Request, db: AsyncSession, aid: int) -> Template | Redirect:
    async def run(page: Page, form: Form):
        await service.review(db, page.actor, aid)
        return page.redirect(_base(aid), "U beoordeelt deze aanvraag nu; het bedrijf is "
                                         "per e-mail op de hoogte gebracht.")
    return await _action(request, db, aid, run)


@post("/beoordeling/aanvragen/{aid:int}/afronden", dependencies=DB, include_in_schema=False,
      status_code=200)
async def complete(request: Request, db: AsyncSession, aid: int) -> Template | Redirect:
    async def run(page: Page, form: Form):
        await service.complete_review(db, page.actor, aid)
        return page.redirect(_base(aid), "Beoordeling afgerond; de aanvraag wacht nu op het "
                                         "besluit.")
    return await _action(request, db, aid, run)


@post("/beoordeling/aanvragen/{aid:int}/vraag", dependencies=DB, include_in_schema=False,
      status_code=200)
async def ask(request: Request, db: AsyncSession, aid: int) -> Template | Redirect:
    async def run(page: Page, form: Form):
        data: InformationRequestIn = parse(InformationRequestIn,
                                           {"message": _long_text(form, "message")})
        await service.request_information(db, page.actor, aid, data.message)
        return page.redirect(_base(aid), "Uw vraag is naar het bedrijf gestuurd; de aanvraag "
                                         "wacht op hun antwoord.")
    return await _action(request, db, aid, run)


@post("/beoordeling/aanvragen/{aid:int}/besluit", dependencies=DB, include_in_schema=False,
      status_code=200)
async def decide(request: Request, db: AsyncSession, aid: int) -> Template | Redirect:
    async def run(page: Page, form: Form):
        data: DecisionIn = parse(DecisionIn, {"outcome": form.text("outcome"),
                                              "reason": _long_text(form, "reason") or None})
        settings = page.settings
        assessment = await service.decide(
            db, page.actor, aid, outcome=data.outcome, reason=data.reason,
            corrected_submission=None, valid_from=None, issuer=settings.issuer_name,
            public_url=settings.public_url)
        if data.outcome == "approved":
            numbers = ", ".join(c.number for c in assessment.certificates) or "geen (trede geen)"
            return page.redirect(_base(aid), f"Goedgekeurd. Uitgegeven certificaten: {numbers}.")
        return page.redirect(_base(aid), "Afgewezen; het bedrijf krijgt de reden per e-mail.")
    return await _action(request, db, aid, run)


def _long_text(form: Form, name: str) -> str:
    for value in form.fields.get(name, []):
        if isinstance(value, str):
            return value.strip()[:5001]
    return ""


@get("/beoordeling/aanvragen/{aid:int}/documenten/{doc_id:int}", dependencies=DB,
     include_in_schema=False)
async def document(request: Request, db: AsyncSession, aid: int,
                   doc_id: int) -> Response[bytes] | Template | Redirect:
    page, stop = await workbench(request, db)
    if stop:
        return stop
    try:
        view, data = await documents.read(db, page.actor, aid, doc_id)
    except NotFound as exc:
        return page.redirect("/beoordeling", exc.detail)
    return attachment(view, data)


# --- corrections: a form, then the diff and the rescored result, then saving ---------------


def _as_number(text: str, original: Any) -> Any:
    text = number_text(text)
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return text  # the engine names the error
    if isinstance(original, (int, float)) and not isinstance(original, bool):
        return int(value) if value == value.to_integral_value() else float(value)
    return text


def corrected_from(submission: dict[str, Any], form: Form) -> dict[str, Any]:
    """The submission with the values of the correction form applied (fields the form
    names after the API's paths: totalFte, employees[2].hoursPerWeek, …)."""
    data = copy.deepcopy(submission)
    if "totalFte" in form.fields:
        data["totalFte"] = _as_number(form.text("totalFte"), data.get("totalFte"))
    employees = data.get("employees") or []
    for i, employee in enumerate(employees[:MAX_EDIT_ROWS]):
        for field in EMPLOYEE_EDITS:
            name = f"employees[{i}].{field}"
            if name not in form.fields:
                continue
            value = form.text(name)
            if field == "hoursPerWeek":
                employee[field] = _as_number(value, employee.get(field))
            elif field == "employmentEnd" and not value:
                employee.pop(field, None)
            else:
                employee[field] = value
    removed = {i for i in range(len(employees)) if form.flag(f"employees[{i}].remove")}
    if removed:
        data["employees"] = [e for i, e in enumerate(employees) if i not in removed]
    for i, purchase in enumerate((data.get("purchases") or [])[:MAX_EDIT_ROWS]):
        name = f"purchases[{i}].invoiceAmount"
        if name in form.fields:
            purchase["invoiceAmount"] = number_text(form.text(name))
    return data


def _correction_context(a: Assessment, form: Form | None) -> dict[str, Any]:
    return {"a": a, "employees": _employees(a), "purchases": _purchases(a),
            "positions": STARTING_POSITION_LABELS, "contracts": CONTRACT_TYPE_LABELS,
            "note": form.text("note") if form else ""}


@get("/beoordeling/aanvragen/{aid:int}/correctie", dependencies=DB, include_in_schema=False)
async def correction_form(request: Request, db: AsyncSession, aid: int) -> Template | Redirect:
    page, stop = await workbench(request, db)
    if stop:
        return stop
    try:
        assessment = await _load(page, db, aid)
    except NotFound as exc:
        return page.redirect("/beoordeling", exc.detail)
    if assessment.status != AssessmentStatus.IN_REVIEW or service.review_completed(assessment):
        return page.redirect(_base(aid), "Corrigeren kan alleen tijdens de beoordeling.")
    return page.render("web/beoordeling/correction.html", _correction_context(assessment, None))


@post("/beoordeling/aanvragen/{aid:int}/correctie", dependencies=DB, include_in_schema=False,
      status_code=200)
async def correction(request: Request, db: AsyncSession, aid: int) -> Template | Redirect:
    page, form, stop = await posted(request, db, "auditor", _base(aid))
    if stop:
        return stop
    try:
        assessment = await _load(page, db, aid)
    except NotFound as exc:
        return page.redirect("/beoordeling", exc.detail)
    data = corrected_from(assessment.submission, form)
    context = _correction_context(assessment, form)
    try:
        parse(CorrectionIn, {"submission": data, "note": form.text("note") or None})
        _, result, changes = service.preview_correction(assessment, data)
    except InvalidInput as exc:
        errors = {p["name"].removeprefix("submission."): p["reason"]
                  for p in exc.invalid_params or []}
        return page.render("web/beoordeling/correction.html",
                           {**context, "errors": errors, "form": form.fields,
                            "label": field_label}, status=400)
    if form.text("action") != "save" or not changes:
        return page.render("web/beoordeling/correction.html", {
            **context, "preview": {"changes": labelled(changes, assessment.submission),
                                   "before": assessment.score,
                                   "after": result},
            "form": form.fields, "hidden": _hidden(form)})
    try:
        await service.correct(db, page.actor, aid, data, form.text("note") or None)
    except ProblemError as exc:
        await db.rollback()
        return page.redirect(_base(aid), f"Niet gelukt: {exc.detail}")
    word = "wijziging" if len(changes) == 1 else "wijzigingen"
    return page.redirect(_base(aid), f"Correctie opgeslagen ({len(changes)} {word}); opnieuw "
                                     f"doorgerekend: {rung_label(result['rung'])}.")


def _hidden(form: Form) -> list[tuple[str, str]]:
    """The typed values again, to save exactly what was previewed."""
    keep = [(k, form.text(k)) for k in form.fields
            if k not in ("csrf", "action") and isinstance(form.fields[k][0], str)]
    return keep[:2000]


ROUTES = [queue, review_page, take, complete, ask, decide, document, correction_form, correction]
