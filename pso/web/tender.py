"""/aanbesteding: the tender calculator (fictitious discount, spec §4) as a web form.

Nothing is decided here: the form becomes the public API's request, checked by its model
(`EvaluationIn`), and is evaluated by the procurement service against the live register.
The CSV is the procurement export, offered as a download of the same form's result.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.clock import today
from pso.errors import InvalidInput
from pso.http.transaction import provide_db
from pso.procurement.evaluation import POLICY_KEYS
from pso.procurement.serialize import policy_json, ranked_json
from pso.schemas.base import parse
from pso.schemas.procurement import EvaluationIn, bid_from, policy_from
from pso.services import procurement
from pso.services.tender_exports import csv_bytes
from pso.text.dutch_input import date_text, number_text
from pso.web.forms import Form, error_summary, field_id, page_order

MAX_FORM_BIDS = 30
START_BIDS = 3
BID_FIELDS = ("bidder", "kvk", "price", "certificateNumber", "declaredRung", "consortium")
POLICY_LABELS = {"aspirant": "Aspirant", "basistrede": "Basistrede", "trede1": "Trede 1",
                 "trede2": "Trede 2", "trede3": "Trede 3", "pso30plus": "PSO 30+"}
DECLARED = {"aspirant": "Aspirant", "basistrede": "Basistrede", "trede1": "Trede 1",
            "trede2": "Trede 2", "trede3": "Trede 3"}
FIELD_LABELS = {"deadline": "Sluitingsdatum", "policy.mode": "Soort voordeel",
                "policy.penaltyFactor": "Boetefactor", "bids": "Inschrijvingen",
                "body": "Invoer"}
BID_LABELS = {"bidder": "naam", "kvk": "KvK-nummer", "price": "inschrijfprijs",
              "certificateNumber": "certificaatnummer", "declaredRung": "opgegeven trede",
              "consortium": "combinatie"}
_MEMBER = re.compile(r"^(bids\[\d+\])\.consortium\[(\d+)\]")
_BID = re.compile(r"^bids\[(\d+)\](?:\.(\w+))?")


def blank_state() -> dict[str, Any]:
    return {"deadline": today().isoformat(), "mode": "percentage",
            "values": dict.fromkeys(POLICY_KEYS, ""), "penaltyFactor": "1,5",
            "bids": [dict.fromkeys(BID_FIELDS, "") for _ in range(START_BIDS)]}


def state_from(form: Form) -> dict[str, Any]:
    bids = [{f: form.text(f"bids[{i}].{f}") for f in BID_FIELDS}
            for i in range(form.rows("bids", MAX_FORM_BIDS))]
    return {"deadline": form.text("deadline"), "mode": form.text("policy.mode"),
            "values": {k: form.text(f"policy.values.{k}") for k in POLICY_KEYS},
            "penaltyFactor": form.text("policy.penaltyFactor"),
            "bids": bids or [dict.fromkeys(BID_FIELDS, "")]}


def request_from(state: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """The API request body, and the form row of each bid in it (blank rows are skipped)."""
    money = state["mode"] == "amount"
    policy: dict[str, Any] = {
        "mode": state["mode"],
        "values": {k: number_text(v, money=money) for k, v in state["values"].items() if v},
    }
    if state["penaltyFactor"]:
        policy["penaltyFactor"] = number_text(state["penaltyFactor"])
    bids, rows = [], []
    for i, row in enumerate(state["bids"]):
        if not any(row.values()):
            continue
        bid: dict[str, Any] = {"bidder": row["bidder"], "kvk": row["kvk"],
                               "price": number_text(row["price"], money=True)}
        if row["certificateNumber"]:
            bid["certificateNumber"] = row["certificateNumber"]
        if row["declaredRung"]:
            bid["declaredRung"] = row["declaredRung"]
        if row["consortium"]:
            bid["consortium"] = _members(row["consortium"])
        bids.append(bid)
        rows.append(i)
    return {"deadline": date_text(state["deadline"]), "policy": policy, "bids": bids}, rows


def _members(text: str) -> list[dict[str, str]]:
    """One member per line: KvK number, then optionally its certificate number."""
    members = []
    for line in text.splitlines()[:50]:
        parts = line.replace(";", " ").replace(",", " ").split()
        if parts:
            member = {"kvk": parts[0]}
            if len(parts) > 1:
                member["certificateNumber"] = parts[1]
            members.append(member)
    return members


def place_errors(params: list[dict[str, str]], rows: list[int]) -> dict[str, list[str]]:
    """API error names back onto form fields; consortium members name their line."""
    out: dict[str, list[str]] = {}
    for p in params:
        name, reason = p["name"], p["reason"]
        if m := _MEMBER.match(name):
            reason = f"Lid {int(m.group(2)) + 1}: {reason}"
            name = m.group(1) + ".consortium"
        if m := _BID.match(name):
            index = int(m.group(1))
            row = rows[index] if index < len(rows) else index
            name = f"bids[{row}]" + (f".{m.group(2)}" if m.group(2) else "")
        out.setdefault(name, []).append(reason)
    return out


def label_of(name: str) -> str:
    if m := _BID.match(name):
        return f"Inschrijving {int(m.group(1)) + 1}" + (
            f": {BID_LABELS.get(m.group(2), m.group(2))}" if m.group(2) else "")
    if name.startswith("policy.values."):
        return "Voordeel " + POLICY_LABELS.get(name[14:], name[14:])
    return FIELD_LABELS.get(name, name)


# The inputs top to bottom, so the error summary reads in the same order.
PAGE_ORDER = page_order(
    ["deadline", "policy.penaltyFactor", "policy.mode", "policy.values", "policy", "bids",
     "body"],
    {"policy.values": list(POLICY_LABELS), "bids": list(BID_LABELS)})


def page(state: dict[str, Any], *, result: dict | None = None,
         errors: dict[str, list[str]] | None = None, status: int = 200) -> Template:
    errors = errors or {}
    summary = error_summary(errors, label_of, order=PAGE_ORDER, anchor=lambda n: (
        field_id(n) if n not in ("bids", "body") else "inschrijvingen"))
    return Template("web/tender.html", status_code=status, context={
        "s": state, "errors": errors, "summary": summary, "result": result, "fid": field_id,
        "policy_labels": POLICY_LABELS, "declared": DECLARED, "max_bids": MAX_FORM_BIDS,
        "form_failed": status >= 400,
    })


@get("/aanbesteding", include_in_schema=False, sync_to_thread=False)
def tender_page() -> Template:
    return page(blank_state())


@post("/aanbesteding", dependencies={"db": Provide(provide_db)}, include_in_schema=False,
      status_code=200)
async def tender_submit(request: Request, db: AsyncSession) -> Template | Response[bytes]:
    form = await Form.read(request)
    state = state_from(form)
    action = form.text("action") or "evaluate"
    if action == "add_bid":
        if len(state["bids"]) < MAX_FORM_BIDS:
            state["bids"].append(dict.fromkeys(BID_FIELDS, ""))
        return page(state)
    if action.startswith("remove_bid:") and action[11:].isdigit():
        index = int(action[11:])
        if index < len(state["bids"]):
            del state["bids"][index]
        state["bids"] = state["bids"] or [dict.fromkeys(BID_FIELDS, "")]
        return page(state)
    body, rows = request_from(state)
    try:
        data: EvaluationIn = parse(EvaluationIn, body)
    except InvalidInput as exc:
        return page(state, errors=place_errors(exc.invalid_params or [], rows), status=400)
    policy = policy_from(data.policy)
    ranking, _ = await procurement.evaluate(db, data.deadline, policy,
                                            [bid_from(b) for b in data.bids])
    result = {"deadline": data.deadline, "policy": policy_json(policy),
              "provisional": data.deadline >= today(),
              "ranking": [ranked_json(r) for r in ranking]}
    if action == "csv":
        name = f"fictieve-korting-{data.deadline.isoformat()}.csv"
        return Response(csv_bytes(result), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return page(state, result=result)


ROUTES = [tender_page, tender_submit]
