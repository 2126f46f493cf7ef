"""/rekentool: the calculator page. The scoring engine decides everything; this module only
moves values between the HTML form and the engine's submission format and back.

Without JavaScript, "add a row" and "read the file" are submit buttons: the page comes back
with the same input plus the change. An uploaded employee list travels on in a hidden field
(as submission JSON), so later submits keep it without uploading again.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, get, post
from litestar.response import Template

from certificates.formatting import plural
from pso.clock import today
from pso.files.upload import COLUMNS, MAX_UPLOAD_BYTES, UploadInvalid, read_employees_async
from pso.text.dutch_input import date_text, number_text
from pso.text.labels import (
    CONTRACT_TYPE_LABELS,
    EMPLOYEE_FIELDS,
    ITEM_FIELD,
    PLAN_FIELDS,
    PURCHASE_FIELDS,
    QUALITY_LABELS,
    STARTING_POSITION_LABELS,
    SUPPLIER_KIND_LABELS,
    label_of,
)
from pso.text.refusals import readable_context
from pso.web.charts import ladder_chart
from pso.web.forms import Form, error_summary, field_id, page_order
from scoring import SubmissionInvalid, all_rulebooks, parse_submission, score

MAX_FORM_EMPLOYEES = 50  # more people: upload a file (keeps the form under the part limit)
MAX_FORM_PURCHASES = 20
START_ROWS = 3

EXTRA_EMPLOYEE_FIELDS = ("employmentEnd", "wageSubsidyUntil", "wswIndicationUntil",
                         "schoolLeftOn")
MONEY = ("invoiceAmount", "supplierTurnover")
NUMBERS = ("hoursPerWeek", "supplierFte", "supplierDirectPct")


# --- the form's state: what the user typed, as text ------------------------------------


def blank_state() -> dict[str, Any]:
    year = today().year - 1
    return {
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "totalFte": "", "fullTimeHoursPerWeek": "40", "rulebook": "",
        "employees": [blank_employee() for _ in range(START_ROWS)],
        "purchases": [blank_purchase()],
        "quality": dict.fromkeys(QUALITY_LABELS, False),
        "actionPlan": {"boardApproved": False, "targetRung": "", "targetDate": ""},
        "upload": None,
    }


def blank_employee() -> dict[str, Any]:
    return {**dict.fromkeys(EMPLOYEE_FIELDS, ""), "inTargetGroupRegister": False}


def blank_purchase() -> dict[str, Any]:
    return dict.fromkeys(PURCHASE_FIELDS, "")


def state_from(form: Form) -> dict[str, Any]:
    employees = []
    for i in range(form.rows("employees", MAX_FORM_EMPLOYEES)):
        row: dict[str, Any] = {f: form.text(f"employees[{i}].{f}") for f in EMPLOYEE_FIELDS}
        row["inTargetGroupRegister"] = form.flag(f"employees[{i}].inTargetGroupRegister")
        employees.append(row)
    purchases = [{f: form.text(f"purchases[{i}].{f}") for f in PURCHASE_FIELDS}
                 for i in range(form.rows("purchases", MAX_FORM_PURCHASES))]
    return {
        "period": {"start": form.text("period.start"), "end": form.text("period.end")},
        "totalFte": form.text("totalFte"),
        "fullTimeHoursPerWeek": form.text("fullTimeHoursPerWeek"),
        "rulebook": form.text("rulebook"),
        "employees": employees or [blank_employee()],
        "purchases": purchases or [blank_purchase()],
        "quality": {q: form.flag(f"quality.{q}") for q in QUALITY_LABELS},
        "actionPlan": {"boardApproved": form.flag("actionPlan.boardApproved"),
                       "targetRung": form.text("actionPlan.targetRung"),
                       "targetDate": form.text("actionPlan.targetDate")},
        "upload": _carried_upload(form.fields.get("upload", [""])[0]),
    }


def _carried_upload(raw: Any) -> dict[str, Any] | None:
    """The list read from a file on an earlier submit; anything malformed is dropped."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_UPLOAD_BYTES * 2:
        return None
    try:
        data = json.loads(raw)
        employees, rows, name = data["employees"], data["rows"], str(data["filename"])[:200]
    except (ValueError, KeyError, TypeError):
        return None
    if not (isinstance(employees, list) and isinstance(rows, list)
            and len(rows) == len(employees) and all(isinstance(r, int) for r in rows)):
        return None
    return {"employees": employees, "rows": rows, "filename": name}


def _filled(row: dict[str, Any]) -> bool:
    return any(v for v in row.values())


# --- state -> submission -> engine -> errors back on the form ----------------------------


def submission_from(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The submission for the engine, and how its list items map back to form rows."""
    uploaded = list(state["upload"]["employees"]) if state["upload"] else []
    employee_rows, employees = [], []
    for i, row in enumerate(state["employees"]):
        if _filled(row):
            employee_rows.append(i)
            employees.append(_employee(row))
    purchase_rows, purchases = [], []
    for i, row in enumerate(state["purchases"]):
        if _filled(row):
            purchase_rows.append(i)
            purchases.append({f: _number(f, v) for f, v in row.items() if v})
    data: dict[str, Any] = {
        "period": {k: date_text(v) for k, v in state["period"].items() if v},
        "employees": uploaded + employees,
        "purchases": purchases,
        "quality": dict(state["quality"]),
    }
    if state["totalFte"]:
        data["totalFte"] = number_text(state["totalFte"])
    if state["fullTimeHoursPerWeek"]:
        data["fullTimeHoursPerWeek"] = number_text(state["fullTimeHoursPerWeek"])
    if state["rulebook"]:
        data["rulebook"] = state["rulebook"]
    plan = state["actionPlan"]
    if plan["targetRung"] or plan["targetDate"] or plan["boardApproved"]:
        data["actionPlan"] = {"boardApproved": plan["boardApproved"]}
        if plan["targetRung"]:
            data["actionPlan"]["targetRung"] = plan["targetRung"]
        if plan["targetDate"]:
            data["actionPlan"]["targetDate"] = date_text(plan["targetDate"])
    where = {"uploaded": len(uploaded), "employees": employee_rows, "purchases": purchase_rows}
    return data, where


def _employee(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name == "inTargetGroupRegister":
            out[name] = bool(value)
        elif value:
            out[name] = value if name in ("reference", "startingPosition", "contractType") \
                else (number_text(value) if name in NUMBERS else date_text(value))
    return out


def _number(name: str, value: str) -> str:
    if name in MONEY:
        return number_text(value, money=True)
    return number_text(value) if name in NUMBERS else value


def place_errors(errors: list[dict[str, str]], where: dict[str, Any],
                 upload: dict[str, Any] | None) -> tuple[dict[str, list[str]], list[str]]:
    """Engine errors keyed by form field name; errors in the uploaded list name the file row."""
    fields: dict[str, list[str]] = {}
    in_file: list[str] = []
    for err in errors:
        name, reason = err["name"], err["reason"]
        m = ITEM_FIELD.match(name)
        if m:
            kind, index, field = m.group(1), int(m.group(2)), m.group(3)
            if kind == "employees" and index < where["uploaded"]:
                row = upload["rows"][index] if upload else index + 2
                column = f", kolom {COLUMNS[field][0]}" if field in COLUMNS else ""
                in_file.append(f"Rij {row}{column}: {reason}")
                continue
            if kind == "employees":
                index -= where["uploaded"]
            index = where[kind][index] if index < len(where[kind]) else index
            name = f"{kind}[{index}]" + (f".{field}" if field else "")
        fields.setdefault(name, []).append(reason)
    return fields, in_file


def anchor_of(name: str) -> str:
    """Where an error summary link should jump to: the field, or its section."""
    if name in ("employees", "purchases", "quality", "actionPlan", "body"):
        return {"employees": "medewerkers", "purchases": "inkoop", "quality": "kwaliteit",
                "actionPlan": "plan", "body": "invoer"}[name]
    if name.startswith("quality."):
        return "kwaliteit"
    return field_id(name)


PAGE_ORDER = page_order(
    ["period.start", "period.end", "totalFte", "fullTimeHoursPerWeek", "rulebook", "employees",
     "purchases", "quality", "actionPlan", "asOf", "body"],
    {"employees": list(EMPLOYEE_FIELDS), "purchases": list(PURCHASE_FIELDS),
     "quality": ["suitableWork", "integration", "development", "guidance"],
     "actionPlan": list(PLAN_FIELDS)})


# --- the page --------------------------------------------------------------------------


def page(state: dict[str, Any], *, result: dict | None = None,
         errors: dict[str, list[str]] | None = None, file_errors: list[str] | None = None,
         notice: str | None = None, status: int = 200) -> Template:
    errors = errors or {}
    # In the order of the inputs on the page, not the order the checks ran in.
    summary = error_summary(errors, label_of, order=PAGE_ORDER, anchor=anchor_of)
    if file_errors:
        summary.insert(0, {"label": "Bestand", "reason": f"{plural(len(file_errors), 'fout', 'fouten')}, zie "
                           "de lijst bij het bestand.", "anchor": "f-file"})
    context = {
        "s": state, "result": result, "errors": errors, "file_errors": file_errors or [],
        "summary": summary, "notice": notice,
        "chart": ladder_chart(result) if result else None,
        "upload_json": json.dumps(state["upload"], ensure_ascii=False) if state["upload"] else "",
        "fid": field_id, "employee_fields": EMPLOYEE_FIELDS, "extra_fields": EXTRA_EMPLOYEE_FIELDS,
        "purchase_fields": PURCHASE_FIELDS, "plan_fields": PLAN_FIELDS,
        "positions": STARTING_POSITION_LABELS, "contracts": CONTRACT_TYPE_LABELS,
        "supplier_kinds": SUPPLIER_KIND_LABELS, "quality_labels": QUALITY_LABELS,
        "rulebooks": {rb_id: rb.title for rb_id, rb in sorted(all_rulebooks().items())},
        "max_employees": MAX_FORM_EMPLOYEES, "max_purchases": MAX_FORM_PURCHASES,
        "employees_by_ref": _labels_for_result(result),
        "form_failed": status >= 400,
    }
    if status >= 400:
        context = readable_context(context)
    return Template("web/calculator.html", context=context, status_code=status)


def _labels_for_result(result: dict | None) -> list[dict[str, Any]]:
    if not result:
        return []
    return [{**e, "positionLabel": STARTING_POSITION_LABELS.get(e["startingPosition"], ""),
             "contractLabel": CONTRACT_TYPE_LABELS.get(e["contractType"], "")}
            for e in result["employees"]]


@get("/rekentool", include_in_schema=False, sync_to_thread=False)
def calculator_page() -> Template:
    return page(blank_state())


@post("/rekentool", include_in_schema=False, status_code=200)
async def calculator_submit(request: Request) -> Template:
    form = await Form.read(request)
    state = state_from(form)
    action = form.text("action") or "score"
    file = form.file("file")
    if action == "clear_upload":
        state["upload"] = None
        return page(state, notice="De ingelezen lijst is verwijderd.")
    notice = None
    if file is not None:
        try:
            read = await read_employees_async(await file.read(MAX_UPLOAD_BYTES + 1))
        except UploadInvalid as exc:
            lines = [f"{e.name[0].upper()}{e.name[1:]}: {e.reason}" for e in exc.errors]
            if exc.total > len(exc.errors):
                lines.append(f"En nog {plural(exc.total - len(exc.errors), 'fout', 'fouten')}.")
            return page(state, file_errors=lines, status=400)
        state["upload"] = {"employees": read.employees, "rows": read.rows,
                           "filename": (file.filename or "")[:200]}
        notice = f"{plural(len(read.employees), 'medewerker', 'medewerkers')} ingelezen uit {state['upload']['filename']}."
        if read.ignored_columns:
            notice += " Niet gebruikte kolommen: " + ", ".join(read.ignored_columns[:10]) + "."
        if action == "upload":
            return page(state, notice=notice)
    if action.startswith(("add_", "remove_")):
        return page(_change_rows(state, action))
    data, where = submission_from(state)
    try:
        result = score(parse_submission(data), today=today())
    except SubmissionInvalid as exc:
        fields, in_file = place_errors(exc.errors, where, state["upload"])
        return page(state, errors=fields, file_errors=in_file, notice=notice, status=400)
    return page(state, result=result, notice=notice)


def _change_rows(state: dict[str, Any], action: str) -> dict[str, Any]:
    verb, _, what = action.partition("_")
    kind, _, index = what.partition(":")
    if kind not in ("employee", "purchase"):
        return state
    rows = state[f"{kind}s"]
    if verb == "add":
        limit = MAX_FORM_EMPLOYEES if kind == "employee" else MAX_FORM_PURCHASES
        if len(rows) < limit:
            rows.append(blank_employee() if kind == "employee" else blank_purchase())
    elif index.isdigit() and int(index) < len(rows):
        del rows[int(index)]
        if not rows:
            rows.append(blank_employee() if kind == "employee" else blank_purchase())
    return state


ROUTES = [calculator_page, calculator_submit]
