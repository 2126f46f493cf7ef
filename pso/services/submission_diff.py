"""What a correction changed, as people read it (issue 21 items 1-2).

One list serves the auditor's preview, the success message, the history and the company's
page: each change is `{field, label, before, after}` with the form's Dutch labels and Dutch
notation (`1 september 2024`, `30,4`, `€ 50.000,00`, ja/nee, the Dutch names of the codes).
Employees are matched by `reference` and purchases by supplier (KvK and name), not by
position: removing one employee is one row, not a shift of every row after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from certificates.formatting import RUNG_LABELS, dutch_date, euro
from pso.text.labels import (
    CONTRACT_TYPE_LABELS,
    EMPLOYEE_FIELDS,
    PURCHASE_FIELDS,
    STARTING_POSITION_LABELS,
    SUPPLIER_KIND_LABELS,
    label_of,
)
from scoring.notation import plain

KEEP_CASE = ("Wsw", "KvK", "FTE", "BBL")  # abbreviations keep their capitals mid-sentence


def _after_name(label: str) -> str:
    """The form's label after a row's name: "M-2: uren per week"."""
    return label if label.startswith(KEEP_CASE) else label[0].lower() + label[1:]


def _top_label(field: str) -> str:
    return "Peildatum" if field == "asOf" else label_of(field)


DATES = {"start", "end", "asOf", "targetDate", "employmentStart", "employmentEnd",
         "wageSubsidyUntil", "wswIndicationUntil", "schoolLeftOn"}
MONEY = {"invoiceAmount", "supplierTurnover"}
CODES = {"startingPosition": STARTING_POSITION_LABELS, "contractType": CONTRACT_TYPE_LABELS,
         "supplierKind": SUPPLIER_KIND_LABELS, "targetRung": RUNG_LABELS}
EMPTY = "(leeg)"


def text(key: str, value: Any) -> str:
    """One stored value in the form's notation; `key` is the field's last name."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if key in CODES:
        return CODES[key].get(value, str(value))
    if key in DATES and isinstance(value, str):
        try:
            return dutch_date(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, (int, float, Decimal)) or (
            isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value)):
        try:
            return euro(Decimal(str(value))) if key in MONEY else plain(value)
        except InvalidOperation:
            return str(value)
    return str(value)


def _employee_summary(e: dict[str, Any]) -> str:
    parts = [text("startingPosition", e.get("startingPosition")),
             text("contractType", e.get("contractType")),
             f"{text('hoursPerWeek', e.get('hoursPerWeek'))} uur per week",
             f"in dienst sinds {text('employmentStart', e.get('employmentStart'))}"]
    if e.get("employmentEnd"):
        parts.append(f"uit dienst op {text('employmentEnd', e['employmentEnd'])}")
    return ", ".join(parts)


def _purchase_summary(p: dict[str, Any]) -> str:
    return (f"{text('supplierKind', p.get('supplierKind'))}, factuurbedrag "
            f"{text('invoiceAmount', p.get('invoiceAmount'))}")


def _employee_name(e: dict[str, Any]) -> str:
    return str(e.get("reference") or "Medewerker zonder referentie")


def _purchase_name(p: dict[str, Any]) -> str:
    return str(p.get("supplierName") or "Leverancier zonder naam")


def _keyed(rows: list[Any], key: Callable[[dict[str, Any]], Any]) -> dict[Any, dict[str, Any]]:
    """Rows by key; a repeated key gets a counter, so equal rows pair up in order."""
    out: dict[Any, dict[str, Any]] = {}
    for row in rows:
        if not isinstance(row, dict):
            continue
        k, n = key(row), 0
        while (k, n) in out:
            n += 1
        out[(k, n)] = row
    return out


def _rows(kind: str, before: list[Any], after: list[Any]) -> list[dict[str, str]]:
    key: Callable[[dict[str, Any]], Any]
    name: Callable[[dict[str, Any]], str]
    summary: Callable[[dict[str, Any]], str]
    if kind == "employees":
        key, name, summary, labels = (lambda r: r.get("reference"), _employee_name,
                                      _employee_summary, EMPLOYEE_FIELDS)
    else:
        key, name, summary, labels = (lambda r: (r.get("supplierKvk"), r.get("supplierName")),
                                      _purchase_name, _purchase_summary, PURCHASE_FIELDS)
    old, new = _keyed(before, key), _keyed(after, key)
    changes = []
    for k in list(old) + [k for k in new if k not in old]:
        was, now = old.get(k), new.get(k)
        ident = f"{kind}[{k[0] if kind == 'employees' else ' · '.join(map(str, k[0]))}]"
        if was is None or now is None:
            row = now if now is not None else was or {}
            what = "medewerker" if kind == "employees" else "inkoop"
            changes.append({"field": ident, "label": f"{name(row)} ({what})",
                            "before": summary(was) if was else "(niet opgegeven)",
                            "after": summary(now) if now else "(verwijderd)"})
            continue
        for field in list(was) + [f for f in now if f not in was]:
            a, b = was.get(field), now.get(field)
            if not _same(a, b):
                changes.append({"field": f"{ident}.{field}",
                                "label": f"{name(now)}: {_after_name(labels.get(field, field))}",
                                "before": text(field, a), "after": text(field, b)})
    return changes


def changes(before: Any, after: Any) -> list[dict[str, str]]:
    """The differences between two submissions, readable, in the form's order."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    out: list[dict[str, str]] = []
    for key in list(before) + [k for k in after if k not in before]:
        a, b = before.get(key), after.get(key)
        if key in ("employees", "purchases"):
            out += _rows(key, a if isinstance(a, list) else [], b if isinstance(b, list) else [])
        elif isinstance(a, dict) or isinstance(b, dict):
            a, b = a if isinstance(a, dict) else {}, b if isinstance(b, dict) else {}
            for sub in list(a) + [s for s in b if s not in a]:
                if not _same(a.get(sub), b.get(sub)):
                    field = f"{key}.{sub}"
                    out.append({"field": field, "label": _top_label(field),
                                "before": text(sub, a.get(sub)), "after": text(sub, b.get(sub))})
        elif not _same(a, b):
            out.append({"field": key, "label": _top_label(key),
                        "before": text(key, a), "after": text(key, b)})
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal, or the same number written differently ("40" and 40, "12.50" and 12.5)."""
    if a == b:
        return True
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return False
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return False
