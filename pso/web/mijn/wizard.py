"""The application wizard (SPEC §7.2): steps 1-7 under /mijn/aanvraag/{id}/stap/{n}, a draft
saved at every step; step 4's scenario panel; the application page after submission; the
provisional score as PDF.

Forms name their inputs after the submission's field paths (as /rekentool does), so the
engine's errors land next to their inputs; the calculator's helpers move values between
form text and the submission.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.formatting import rung_label
from pso import clock
from pso.db.models import Assessment, AssessmentStatus
from pso.errors import InvalidInput, ProblemError
from pso.files.upload import MAX_UPLOAD_BYTES, UploadInvalid, read_employees_async
from pso.http.downloads import attachment
from pso.services import certification, documents, portal
from pso.services.provisional_pdf import file_name, render_provisional
from pso.text.dutch_input import date_text, number_text
from pso.text.labels import (
    CONTRACT_TYPE_LABELS,
    QUALITY_LABELS,
    STARTING_POSITION_LABELS,
    SUPPLIER_KIND_LABELS,
)
from pso.web import calculator as calc
from pso.web.charts import ladder_chart
from pso.web.forms import Form, error_summary, field_errors, field_id
from pso.web.mijn.common import DB, STATUS_TEXT, Mijn, errors_by_field, load, load_form
from pso.web.mijn.dashboard import certificates_of
from pso.web.session import STALE
from scoring import SubmissionInvalid, all_rulebooks, parse_submission, score

STEP_TITLES = {
    1: "Organisatie en periode",
    2: "Medewerkers",
    3: "Inkoop",
    4: "Voorlopige uitkomst",
    5: "Kwaliteitseisen",
    6: "Certificerende instelling",
    7: "Definitieve aanvraag",
}
QUESTIONS = {
    "suitableWork": "Past het werk bij de mogelijkheden van de medewerkers uit de doelgroep?",
    "integration": "Werken zij mee in de gewone organisatie, met collega's zonder afstand tot "
                   "de arbeidsmarkt?",
    "development": "Is er aandacht voor hun functioneren en ontwikkeling (gesprekken, "
                   "scholing)?",
    "guidance": "Is er begeleiding op de werkplek (een vaste begeleider of jobcoach)?",
}


# --- loading ---------------------------------------------------------------------------


async def _assessment(mijn: Mijn, db: AsyncSession, assessment_id: int) -> Assessment | None:
    try:
        return await certification.get_for(db, mijn.actor, assessment_id)
    except ProblemError:
        return None


def _wizard(mijn: Mijn, assessment: Assessment | None, step: int, context: dict[str, Any],
            status: int = 200) -> Template:
    errors = context.get("errors") or {}
    summary = context.get("summary")
    if summary is None:
        summary = error_summary(
            errors, lambda n: calc.label_of(n) if n != "form" else "Aanvraag",
            anchor=lambda n: calc.anchor_of(n) if n != "form" else "invoer")
    return mijn.render("web/mijn/wizard.html", {
        "a": assessment, "step": step, "steps": STEP_TITLES, "errors": errors,
        "summary": summary, "fid": field_id, "positions": STARTING_POSITION_LABELS,
        "contracts": CONTRACT_TYPE_LABELS, "supplier_kinds": SUPPLIER_KIND_LABELS,
        "quality_labels": QUALITY_LABELS, "employee_fields": calc.EMPLOYEE_FIELDS,
        "extra_fields": calc.EXTRA_EMPLOYEE_FIELDS, "max_employees": calc.MAX_FORM_EMPLOYEES,
        "max_purchases": calc.MAX_FORM_PURCHASES, **context}, status=status)


def _gone(mijn: Mijn) -> Redirect:
    return mijn.page.redirect("/mijn", "Die aanvraag bestaat niet (of niet voor uw organisatie).")


def _frozen(mijn: Mijn, assessment: Assessment) -> Redirect:
    return mijn.page.redirect(f"/mijn/aanvraag/{assessment.id}",
                              "Deze aanvraag is ingediend; de gegevens liggen vast.")


async def _load(request: Request, db: AsyncSession, assessment_id: int,
                step: int | None = None) -> tuple[Mijn | None, Assessment | None, Any]:
    """(mijn, the company's application, None), else (…, None, where to go instead). With a
    wizard `step`: that step must exist and the application must still be editable."""
    mijn, stop = await load(request, db)
    if mijn is None:
        return None, None, stop
    assessment = await _assessment(mijn, db, assessment_id)
    if assessment is None or (step is not None and not 1 <= step <= 7):
        return mijn, None, _gone(mijn)
    if step is not None and assessment.status not in certification.EDITABLE:
        return mijn, None, _frozen(mijn, assessment)
    return mijn, assessment, None


# --- submission <-> form text ----------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).replace(".", ",") if isinstance(value, (int, float)) \
        else str(value)


def _employee_rows(employees: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for e in employees:
        row = {f: "" for f in calc.EMPLOYEE_FIELDS}
        for f in calc.EMPLOYEE_FIELDS:
            if f == "inTargetGroupRegister":
                row[f] = bool(e.get(f))
            elif e.get(f) is not None:
                row[f] = str(e[f]).replace(".", ",") if f == "hoursPerWeek" else str(e[f])
        rows.append(row)
    return rows


def _purchase_rows(purchases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{f: (str(p[f]).replace(".", ",") if f in calc.MONEY or f in calc.NUMBERS
                 else str(p[f])) if p.get(f) is not None else "" for f in calc.PURCHASE_FIELDS}
            for p in purchases]


def _employee_state(assessment: Assessment) -> dict[str, Any]:
    stored = list(assessment.submission.get("employees") or [])
    if len(stored) > calc.MAX_FORM_EMPLOYEES:  # a long list stays a list, as if uploaded
        return {"employees": [calc.blank_employee()],
                "upload": {"employees": stored, "rows": list(range(2, len(stored) + 2)),
                           "filename": "de opgeslagen lijst"}}
    rows = _employee_rows(stored)
    return {"employees": rows or [calc.blank_employee() for _ in range(calc.START_ROWS)],
            "upload": None}


def _check(data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """The engine's verdict on a whole submission: (score, []) or (None, errors)."""
    try:
        return score(parse_submission(data)), []
    except SubmissionInvalid as exc:
        return None, exc.errors


def _with_rows(a: Assessment, full: dict[str, Any],
               kind: str) -> tuple[dict[str, Any], dict[str, list[str]], list[str]]:
    """The stored submission with the form's `kind` rows (employees or purchases) instead, and
    the engine's errors: those in these rows at their input (or the uploaded file's row),
    the others by field name."""
    built, where = calc.submission_from(full)
    data = {**a.submission, kind: built[kind]}
    data.pop("asOf", None)
    _, problems = _check(data)
    fields, in_file = calc.place_errors([e for e in problems if e["name"].startswith(kind)],
                                        where, full["upload"])
    for e in problems:
        if not e["name"].startswith(kind):
            fields.setdefault(e["name"], []).append(e["reason"])
    return data, fields, in_file


async def _save(mijn: Mijn, db: AsyncSession, assessment: Assessment, data: dict[str, Any],
                step: int) -> Redirect:
    await portal.save_step(db, mijn.actor, assessment.id, data, step)
    return mijn.page.redirect(f"/mijn/aanvraag/{assessment.id}/stap/{min(step + 1, 7)}",
                              f"Stap {step} is opgeslagen.")


# --- step 1: organisation and period ----------------------------------------------------


def _step1_state(assessment: Assessment | None) -> dict[str, Any]:
    if assessment is None:
        year = clock.today().year - 1
        return {"period": {"start": f"{year}-01-01", "end": f"{year}-12-31"}, "totalFte": "",
                "fullTimeHoursPerWeek": "40", "rulebook": ""}
    sub = assessment.submission
    return {"period": dict(sub.get("period") or {}), "totalFte": _text(sub.get("totalFte")),
            "fullTimeHoursPerWeek": _text(sub.get("fullTimeHoursPerWeek") or "40"),
            "rulebook": sub.get("rulebook") or ""}


def _step1_page(mijn: Mijn, assessment: Assessment | None, state: dict[str, Any],
                errors: dict[str, list[str]] | None = None, status: int = 200) -> Template:
    return _wizard(mijn, assessment, 1, {
        "s": state, "errors": errors or {},
        "rulebooks": {rb_id: rb.title for rb_id, rb in sorted(all_rulebooks().items())}},
        status=status)


def _step1_form(form: Form) -> tuple[dict[str, Any], dict[str, Any]]:
    state = {"period": {"start": form.text("period.start"), "end": form.text("period.end")},
             "totalFte": form.text("totalFte"),
             "fullTimeHoursPerWeek": form.text("fullTimeHoursPerWeek"),
             "rulebook": form.text("rulebook")}
    values = {"period": {k: date_text(v) for k, v in state["period"].items() if v}}
    if state["totalFte"]:
        values["totalFte"] = number_text(state["totalFte"])
    if state["fullTimeHoursPerWeek"]:
        values["fullTimeHoursPerWeek"] = number_text(state["fullTimeHoursPerWeek"])
    values["rulebook"] = state["rulebook"] or None
    return state, values


def _merge_step1(base: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    data = {**base, "period": values["period"]}
    for key in ("totalFte", "fullTimeHoursPerWeek", "rulebook"):
        if values.get(key) is None:
            data.pop(key, None)
        else:
            data[key] = values[key]
    data.pop("asOf", None)
    return data


def _field_errors(errors: list[dict[str, str]]) -> dict[str, list[str]]:
    return field_errors(errors, lambda name: name.removeprefix("submission."))


@get("/mijn/aanvraag/nieuw", dependencies=DB, include_in_schema=False)
async def new_application(request: Request, db: AsyncSession) -> Template | Redirect:
    mijn, stop = await load(request, db, registered=True)
    if mijn is None:
        return stop
    current = portal.open_application(await portal.applications(db, mijn.org))
    if current is not None:
        return mijn.page.redirect(portal.resume_url(current),
                                  f"Aanvraag {current.id} loopt al; u gaat daarmee verder.")
    return _step1_page(mijn, None, _step1_state(None))


@post("/mijn/aanvraag/nieuw", dependencies=DB, include_in_schema=False, status_code=200)
async def create_application(request: Request, db: AsyncSession) -> Template | Redirect:
    mijn, form, stop = await load_form(request, db, "/mijn/aanvraag/nieuw", registered=True)
    if mijn is None:
        return stop
    state, values = _step1_form(form)
    data = _merge_step1(portal.first_submission(None, None, None), values)
    _, problems = _check(data)
    if problems:
        return _step1_page(mijn, None, state, _field_errors(problems), status=400)
    try:
        assessment = await portal.start(db, mijn.actor, mijn.kvk, data)
    except ProblemError as exc:
        await mijn.rollback(db)
        return mijn.page.redirect("/mijn", exc.detail)
    return mijn.page.redirect(f"/mijn/aanvraag/{assessment.id}/stap/2",
                              f"Aanvraag {assessment.id} is aangemaakt en stap 1 is opgeslagen.")


# --- the step pages ---------------------------------------------------------------------


@get("/mijn/aanvraag/{assessment_id:int}/stap/{step:int}", dependencies=DB,
     include_in_schema=False)
async def step_page(request: Request, db: AsyncSession, assessment_id: int,
                    step: int) -> Template | Redirect:
    mijn, assessment, stop = await _load(request, db, assessment_id, step)
    if assessment is None:
        return stop
    return await _show(mijn, db, assessment, step)


async def _show(mijn: Mijn, db: AsyncSession, assessment: Assessment, step: int,
                **extra: Any) -> Template:
    status = extra.pop("status", 200)
    if step == 1:
        return _step1_page(mijn, assessment, extra.pop("state", None) or _step1_state(assessment),
                           extra.pop("errors", None), status=status)
    if step == 2:
        state = extra.pop("state", None) or _employee_state(assessment)
        upload = state["upload"]
        return _wizard(mijn, assessment, 2, {
            "s": state, "upload_json": json.dumps(upload, ensure_ascii=False) if upload else "",
            **extra}, status=status)
    if step == 3:
        state = extra.pop("state", None) or {
            "purchases": _purchase_rows(assessment.submission.get("purchases") or [])
            or [calc.blank_purchase()]}
        return _wizard(mijn, assessment, 3, {"s": state, **extra}, status=status)
    if step == 4:
        return _wizard(mijn, assessment, 4, {**_draft_result(assessment),
                                            "edit_href": f"/mijn/aanvraag/{assessment.id}/stap/2",
                                            **_scenario_defaults(), **extra}, status=status)
    if step == 5:
        return _wizard(mijn, assessment, 5, {**_quality_context(assessment), **extra},
                       status=status)
    if step == 6:
        bodies = await portal.certifying_bodies(db)
        chosen = assessment.certifying_body.code if assessment.certifying_body else ""
        return _wizard(mijn, assessment, 6, {"bodies": bodies, "chosen": chosen, **extra},
                       status=status)
    bodies = await portal.certifying_bodies(db)
    return _wizard(mijn, assessment, 7, {
        **_result_context(assessment.score), "bodies_exist": bool(bodies), "edit_href": "",
        "motivations": assessment.motivations or {}, **extra}, status=status)


def _result_context(result: dict[str, Any], pending: bool = False) -> dict[str, Any]:
    return {"result": result, "chart": ladder_chart(result), "quality_pending": pending,
            "employees_by_ref": calc._labels_for_result(result)}


def _draft_result(a: Assessment) -> dict[str, Any]:
    """Step 4's result: before step 5 what the numbers reach, the rung once answered."""
    result, answered = portal.provisional_result(a), portal.quality_answered(a)
    return {**_result_context(result, portal.rung_pending(result, answered)),
            "quality_open": not answered}


@post("/mijn/aanvraag/{assessment_id:int}/stap/{step:int}", dependencies=DB,
      include_in_schema=False, status_code=200)
async def step_save(request: Request, db: AsyncSession, assessment_id: int,
                    step: int) -> Template | Redirect | Response[bytes]:
    mijn, assessment, stop = await _load(request, db, assessment_id, step)
    if assessment is None:
        return stop
    form = await Form.read(request)
    if not mijn.page.csrf_ok(form):
        return mijn.page.redirect(f"/mijn/aanvraag/{assessment_id}/stap/{step}", STALE)
    try:
        handler = {1: _save1, 2: _save2, 3: _save3, 4: _save4, 5: _save5, 6: _save6,
                   7: _save7}[step]
        return await handler(mijn, db, assessment, form)
    except ProblemError as exc:
        await mijn.rollback(db)
        assessment = await _assessment(mijn, db, assessment_id)
        if assessment is None:
            return _gone(mijn)
        return await _show(mijn, db, assessment, step,
                           errors=errors_by_field(exc, "submission."), status=exc.status)


async def _save1(mijn: Mijn, db: AsyncSession, a: Assessment, form: Form) -> Any:
    state, values = _step1_form(form)
    data = _merge_step1(a.submission, values)
    _, problems = _check(data)
    if problems:
        return _step1_page(mijn, a, state, _field_errors(problems), status=400)
    return await _save(mijn, db, a, data, 1)


async def _save2(mijn: Mijn, db: AsyncSession, a: Assessment, form: Form) -> Any:
    full = calc.state_from(form)
    state = {"employees": full["employees"], "upload": full["upload"]}
    action = form.text("action") or "save"
    notice = None
    file = form.file("file")
    if action == "clear_upload":
        state["upload"] = None
        return await _show(mijn, db, a, 2, state=state,
                           notice="De ingelezen lijst is verwijderd (nog niet opgeslagen).")
    if file is not None:
        try:
            read = await read_employees_async(await file.read(MAX_UPLOAD_BYTES + 1))
        except UploadInvalid as exc:
            lines = [f"{e.name[0].upper()}{e.name[1:]}: {e.reason}" for e in exc.errors]
            if exc.total > len(exc.errors):
                lines.append(f"En nog {exc.total - len(exc.errors)} fout(en).")
            return await _show(mijn, db, a, 2, state=state, file_errors=lines, status=400)
        state["upload"] = {"employees": read.employees, "rows": read.rows,
                           "filename": (file.filename or "")[:200]}
        if not any(calc._filled(r) for r in state["employees"]):
            state["employees"] = [calc.blank_employee()]
        notice = f"{len(read.employees)} medewerker(s) ingelezen uit {state['upload']['filename']}."
        if action == "upload":
            return await _show(mijn, db, a, 2, state=state, notice=notice + " Controleer de "
                               "lijst en kies 'Opslaan en verder'.")
    full["employees"], full["upload"] = state["employees"], state["upload"]
    if action.startswith(("add_", "remove_")):
        changed = calc._change_rows(full, action)
        return await _show(mijn, db, a, 2, state={"employees": changed["employees"],
                                                  "upload": state["upload"]})
    data, fields, in_file = _with_rows(a, full, "employees")
    if fields or in_file:
        return await _show(mijn, db, a, 2, state=state, errors=fields, file_errors=in_file,
                           status=400)
    return await _save(mijn, db, a, data, 2)


async def _save3(mijn: Mijn, db: AsyncSession, a: Assessment, form: Form) -> Any:
    full = calc.state_from(form)
    action = form.text("action") or "save"
    if action.startswith(("add_", "remove_")):
        changed = calc._change_rows(full, action)
        return await _show(mijn, db, a, 3, state={"purchases": changed["purchases"]})
    full["employees"], full["upload"] = [], None
    data, fields, _ = _with_rows(a, full, "purchases")
    if fields:
        return await _show(mijn, db, a, 3, state={"purchases": full["purchases"]},
                           errors=fields, status=400)
    return await _save(mijn, db, a, data, 3)


async def _save4(mijn: Mijn, db: AsyncSession, a: Assessment, form: Form) -> Any:
    # Step 4 has nothing to type: "verder" records the progress and goes to step 5.
    a.wizard_step = max(a.wizard_step or 1, 5)
    return mijn.page.redirect(f"/mijn/aanvraag/{a.id}/stap/5")


# --- step 4's scenario panel --------------------------------------------------------------


SCENARIO_PURCHASE = ("supplierName", "supplierKind", "invoiceAmount", "supplierTurnover",
                     "supplierFte", "supplierDirectPct")


def _scenario_defaults() -> dict[str, Any]:
    return {"sc": {"hires": [{"count": "1", "hoursPerWeek": "32",
                              "startingPosition": "participatiewet", "contractType": "regular"}],
                   "purchase": dict.fromkeys(SCENARIO_PURCHASE, "")},
            "scenario": None, "scenario_chart": None}


def _scenario_field(name: str) -> str:
    """The scenario form's name for a field the scenario service names."""
    if name.startswith("purchases[0]."):
        return "scenarioPurchase." + name[13:]
    if name.startswith("hires") and not name.startswith("hires["):
        return "hires[0]" + name[5:]
    return name


@post("/mijn/aanvraag/{assessment_id:int}/scenario", dependencies=DB, include_in_schema=False,
      status_code=200)
async def scenario(request: Request, db: AsyncSession, assessment_id: int) -> Template | Redirect:
    """Step 4's what-if: nothing is saved, whatever the outcome."""
    mijn, a, stop = await _load(request, db, assessment_id, 4)
    if a is None:
        return stop
    form = await Form.read(request)
    if not mijn.page.csrf_ok(form):
        return mijn.page.redirect(f"/mijn/aanvraag/{assessment_id}/stap/4", STALE)
    hires_text = [{f: form.text(f"hires[{i}].{f}") for f in
                   ("count", "hoursPerWeek", "startingPosition", "contractType")}
                  for i in range(max(1, form.rows("hires", 5)))]
    purchase_text = {f: form.text(f"scenarioPurchase.{f}") for f in SCENARIO_PURCHASE}
    sc = {"hires": hires_text, "purchase": purchase_text}
    hires = [{**h, "count": h["count"] or "1", "hoursPerWeek": number_text(h["hoursPerWeek"])}
             for h in hires_text if h["hoursPerWeek"]]
    purchases = []
    if any(purchase_text.values()):
        p = {f: calc._number(f, v) for f, v in purchase_text.items() if v}
        p.setdefault("supplierName", "Denkbeeldige leverancier")
        purchases.append(p)
    context: dict[str, Any] = {**_draft_result(a), "sc": sc,
                               "edit_href": f"/mijn/aanvraag/{a.id}/stap/2"}
    status = 200
    try:
        if not hires and not purchases:
            raise InvalidInput([{"name": "hires[0].hoursPerWeek",
                                 "reason": "Vul uren per week in voor de nieuwe medewerkers, "
                                           "of een inkoop."}])
        result = portal.scenario(a.submission, hires, purchases,
                                 answered=portal.quality_answered(a))
        context.update(scenario=result, scenario_chart=ladder_chart(result))
    except InvalidInput as exc:
        context.update(scenario=None, scenario_chart=None,
                       scenario_errors=field_errors(exc, _scenario_field))
        status = 400
    return _wizard(mijn, a, 4, context, status=status)


# --- step 5: quality with motivations -----------------------------------------------------


def _quality_context(a: Assessment, typed: dict[str, Any] | None = None) -> dict[str, Any]:
    result = a.score
    quantitative = result["quantitativeRung"]
    quality = (typed or {}).get("quality") or a.submission.get("quality") or {}
    motivations = (typed or {}).get("motivations") or a.motivations or {}
    plan = (typed or {}).get("actionPlan") or a.submission.get("actionPlan") or {}
    if quantitative == "none":
        intro = ("Op cijfers haalt uw organisatie nog geen trede. De kwaliteitseisen gelden "
                 "vanaf de basistrede; met een door de directie goedgekeurd plan van aanpak "
                 "kunt u de aspirant-status krijgen.")
    else:
        intro = (f"Op cijfers haalt uw organisatie {rung_label(quantitative).lower()}. Die "
                 f"trede wordt alleen toegekend als aan alle vier de eisen is voldaan.")
    questions = {k: (f"Voor {rung_label(quantitative).lower()}: " if quantitative != "none"
                     else "") + q for k, q in QUESTIONS.items()}
    return {"intro": intro, "questions": questions, "quality": quality,
            "motivations": motivations, "quantitative": quantitative,
            "plan": {"boardApproved": bool(plan.get("boardApproved")),
                     "targetRung": plan.get("targetRung") or "",
                     "targetDate": plan.get("targetDate") or ""}}


async def _save5(mijn: Mijn, db: AsyncSession, a: Assessment, form: Form) -> Any:
    assessment_id = a.id
    quality = {k: form.flag(f"quality.{k}") for k in portal.QUALITY_KEYS}
    motivations = {k: form.text(f"motivations.{k}", portal.MAX_MOTIVATION + 1)
                   for k in portal.QUALITY_KEYS}
    plan = {"boardApproved": form.flag("actionPlan.boardApproved"),
            "targetRung": form.text("actionPlan.targetRung"),
            "targetDate": form.text("actionPlan.targetDate")}
    typed = {"quality": quality, "motivations": motivations, "actionPlan": plan}
    data = {**a.submission, "quality": quality}
    data.pop("asOf", None)
    if plan["boardApproved"] or plan["targetRung"] or plan["targetDate"]:
        data["actionPlan"] = {"boardApproved": plan["boardApproved"]}
        if plan["targetRung"]:
            data["actionPlan"]["targetRung"] = plan["targetRung"]
        if plan["targetDate"]:
            data["actionPlan"]["targetDate"] = date_text(plan["targetDate"])
    else:
        data.pop("actionPlan", None)
    _, problems = _check(data)
    if problems:
        return _wizard(mijn, a, 5, {**_quality_context(a, typed),
                                    "errors": _field_errors(problems)}, status=400)
    try:
        await portal.save_step(db, mijn.actor, a.id, data, 4)
        await portal.set_quality(db, mijn.actor, a.id, quality, motivations)
    except InvalidInput as exc:
        await mijn.rollback(db)
        a = await _assessment(mijn, db, assessment_id)
        return _wizard(mijn, a, 5, {**_quality_context(a, typed),
                                    "errors": errors_by_field(exc)}, status=400)
    return mijn.page.redirect(f"/mijn/aanvraag/{a.id}/stap/6", "Stap 5 is opgeslagen.")


async def _save6(mijn: Mijn, db: AsyncSession, a: Assessment, form: Form) -> Any:
    code = form.text("certifyingBody")
    if not await portal.certifying_bodies(db):
        return mijn.page.redirect(f"/mijn/aanvraag/{a.id}/stap/7")
    await portal.choose_body(db, mijn.actor, a.id, code)
    return mijn.page.redirect(f"/mijn/aanvraag/{a.id}/stap/7", "Stap 6 is opgeslagen.")


async def _save7(mijn: Mijn, db: AsyncSession, a: Assessment, form: Form) -> Any:
    again = a.status == AssessmentStatus.INFORMATION_REQUESTED
    response = form.text("response", 5001)
    problems = []
    if again and not response:
        problems.append({"name": "response", "reason": "Beantwoord de vraag van de auditor."})
    elif len(response) > 5000:
        problems.append({"name": "response", "reason": "Hoogstens 5000 tekens."})
    if not form.flag("confirm"):
        problems.append({"name": "confirm", "reason": "Bevestig dat de gegevens juist en "
                                                      "volledig zijn."})
    if problems:
        raise InvalidInput(problems)
    await portal.submit_definitive(db, mijn.actor, a.id, response if again else None)
    return mijn.page.redirect(
        f"/mijn/aanvraag/{a.id}",
        f"Aanvraag {a.id} is {'opnieuw' if again else 'definitief'} ingediend. U krijgt een "
        "bevestiging per e-mail.")


# --- after submission ---------------------------------------------------------------------


@get("/mijn/aanvraag/{assessment_id:int}", dependencies=DB, include_in_schema=False)
async def application_page(request: Request, db: AsyncSession,
                           assessment_id: int) -> Template | Redirect:
    mijn, a, stop = await _load(request, db, assessment_id)
    if a is None:
        return stop
    return await _application(mijn, db, a)


async def _application(mijn: Mijn, db: AsyncSession, a: Assessment, *,
                       errors: dict[str, list[str]] | None = None,
                       status: int = 200) -> Template:
    certificates = [c for c in await certificates_of(db, mijn.org) if c["c"].assessment_id == a.id]
    changes = (certification.submission_changes(a.original_submission, a.submission)
               if a.original_submission else [])
    notes = [{"at": e.at, "note": e.summary.get("note")}
             for e in await certification.history(db, a.id)
             if e.action == "assessment.corrected" and e.summary.get("note")]
    return mijn.render("web/mijn/application.html", {
        "a": a, "status_text": STATUS_TEXT, "certificates": certificates, "edit_href": "",
        "documents": [{"d": d, "removable": documents.removable(a, d)}
                      for d in await documents.list_for(db, mijn.actor, a.id)],
        "changes": changes[:200], "more_changes": max(0, len(changes) - 200),
        "correction_notes": notes, "resume_url": portal.resume_url(a),
        "original_rung": (a.original_score or {}).get("rung"),
        "editable": a.status in certification.EDITABLE,
        "documents_open": a.status not in (AssessmentStatus.APPROVED, AssessmentStatus.REJECTED),
        "errors": errors or {}, **_draft_result(a)}, status=status)


@post("/mijn/aanvraag/{assessment_id:int}/documenten", dependencies=DB, include_in_schema=False,
      status_code=200, request_max_body_size=documents.MAX_BYTES + 1024 * 1024)
async def upload_document(request: Request, db: AsyncSession,
                          assessment_id: int) -> Template | Redirect:
    mijn, a, stop = await _load(request, db, assessment_id)
    if a is None:
        return stop
    form = await Form.read(request)
    if not mijn.page.csrf_ok(form):
        return mijn.page.redirect(f"/mijn/aanvraag/{assessment_id}", STALE)
    file = form.file("file")
    try:
        if file is None:
            raise InvalidInput([{"name": "file", "reason": "Kies een bestand."}])
        view = await documents.add(db, mijn.actor, assessment_id, file.filename,
                                   await file.read(documents.MAX_BYTES + 1))
    except ProblemError as exc:
        await mijn.rollback(db)
        a = await _assessment(mijn, db, assessment_id)
        errors = errors_by_field(exc)
        if "form" in errors:
            errors = {"file": errors["form"]}
        return await _application(mijn, db, a, errors=errors, status=exc.status)
    return mijn.page.redirect(f"/mijn/aanvraag/{assessment_id}#bewijsstukken",
                              f"Bewijsstuk {view.file_name} is toegevoegd.")


@post("/mijn/aanvraag/{assessment_id:int}/documenten/{document_id:int}/verwijderen",
      dependencies=DB, include_in_schema=False, status_code=200)
async def remove_document(request: Request, db: AsyncSession, assessment_id: int,
                          document_id: int) -> Template | Redirect:
    """Take back a file uploaded by mistake (only before it was submitted)."""
    mijn, a, stop = await _load(request, db, assessment_id)
    if a is None:
        return stop
    form = await Form.read(request)
    back = f"/mijn/aanvraag/{assessment_id}#bewijsstukken"
    if not mijn.page.csrf_ok(form):
        return mijn.page.redirect(back, STALE)
    try:
        view = await documents.remove(db, mijn.actor, assessment_id, document_id)
    except ProblemError as exc:
        await mijn.rollback(db)
        return mijn.page.redirect(back, exc.detail)
    return mijn.page.redirect(back, f"Bewijsstuk {view.file_name} is verwijderd.")


@get("/mijn/aanvraag/{assessment_id:int}/documenten/{document_id:int}", dependencies=DB,
     include_in_schema=False)
async def download_document(request: Request, db: AsyncSession, assessment_id: int,
                            document_id: int) -> Response[bytes] | Template | Redirect:
    mijn, stop = await load(request, db)
    if mijn is None:
        return stop
    try:
        view, data = await documents.read(db, mijn.actor, assessment_id, document_id)
    except ProblemError:
        return _gone(mijn)
    return attachment(view, data)


@get("/mijn/aanvraag/{assessment_id:int}/uitkomst.pdf", dependencies=DB,
     include_in_schema=False)
async def provisional_pdf(request: Request, db: AsyncSession,
                          assessment_id: int) -> Response[bytes] | Template | Redirect:
    _, a, stop = await _load(request, db, assessment_id)
    if a is None:
        return stop
    pdf = await render_provisional(a, clock.today())
    return Response(pdf, media_type="application/pdf", headers={
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{file_name(a)}"'})


ROUTES = [new_application, create_application, step_page, step_save, scenario,
          application_page, provisional_pdf, upload_document, download_document,
          remove_document]
