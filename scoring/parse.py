"""Turn raw input (JSON bytes/str or a dict) into a Submission, reporting every violation.

Hostile input gets a SubmissionInvalid, never another exception: invalid JSON, NaN and
Infinity, huge or over-long numbers, megabyte strings, wrong types, deep nesting.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import ValidationError

from .engine import score
from .errors import SubmissionInvalid
from .model import (
    MAX_EMPLOYEES,
    MAX_PURCHASES,
    Submission,
    _to_date,
    _to_decimal,
    employee_problems,
    period_problems,
    purchase_problems,
)
from .text import dutch_number

T = TypeVar("T")

MAX_BODY_BYTES = 16 * 1024 * 1024  # 10,000 employees fit in ~3 MB

_TYPE_REASONS = {
    "missing": "Dit veld is verplicht.",
    "model_type": "Moet een object zijn.",
    "model_attributes_type": "Moet een object zijn.",
    "dict_type": "Moet een object zijn.",
    "list_type": "Moet een lijst zijn.",
    "bool_type": "Moet true of false zijn.",
    "string_type": "Moet tekst zijn.",
}


def _constant(name: str) -> Decimal:
    # NaN / Infinity / -Infinity: let the field validators reject them with the field's name.
    return Decimal(name.replace("Infinity", "Inf"))


def decode_json(raw: bytes | str) -> Any:
    if len(raw) > MAX_BODY_BYTES:
        raise SubmissionInvalid([{"name": "body", "reason": "De invoer is te groot."}])
    try:
        return json.loads(raw, parse_float=Decimal, parse_int=Decimal, parse_constant=_constant)
    except RecursionError:
        reason = "De JSON is te diep genest."
    except UnicodeDecodeError:
        reason = "De tekst is geen geldige UTF-8."
    except json.JSONDecodeError as exc:
        reason = f"Geen geldige JSON (regel {exc.lineno}, kolom {exc.colno})."
    except (ValueError, TypeError, ArithmeticError):
        reason = "Geen geldige JSON."
    raise SubmissionInvalid([{"name": "body", "reason": reason}])


def _name(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def _translate(exc: ValidationError) -> list[dict[str, str]]:
    errors = []
    for err in exc.errors(include_url=False, include_input=False):
        loc, kind, ctx = err["loc"], err["type"], err.get("ctx") or {}
        if kind == "pso" and "problems" in ctx:
            for field, reason in ctx["problems"]:
                errors.append({"name": _name(loc + (field,)), "reason": reason})
            continue
        if kind == "literal_error":
            allowed = ctx.get("expected", "").replace(" or ", ", ")
            reason = f"Onbekende waarde; toegestaan: {allowed}."
        elif kind == "too_long":
            reason = f"Te veel regels (hoogstens {dutch_number(ctx.get('max_length', 0))})."
        elif kind == "pso":
            reason = err["msg"]
        else:
            reason = _TYPE_REASONS.get(kind, err["msg"])
        errors.append({"name": _name(loc), "reason": reason})
    return errors


def _get(item: Any, key: str, convert: Callable[[Any], T]) -> T | None:
    """A raw value converted, or None when absent or invalid (reported elsewhere)."""
    if not isinstance(item, Mapping) or item.get(key) is None:
        return None
    try:
        return convert(item[key])
    except Exception:  # noqa: BLE001 - any failure here was already reported by the model
        return None


def _cross_checks_of_failed_items(data: Mapping[str, Any],
                                  exc: ValidationError) -> list[dict[str, str]]:
    """Cross-field rules for items whose own fields failed (their model checks did not run)."""
    failed = {err["loc"][:2] for err in exc.errors(include_url=False, include_input=False)
              if err["type"] != "pso" or "problems" not in (err.get("ctx") or {})}
    out: list[dict[str, str]] = []

    def add(prefix: str, problems: list[tuple[str, str]]) -> None:
        out.extend({"name": f"{prefix}.{field}", "reason": reason} for field, reason in problems)

    if any(loc[:1] == ("period",) for loc in failed):
        period = data.get("period")
        add("period", period_problems(_get(period, "start", _to_date),
                                      _get(period, "end", _to_date)))
    for key, check in (("employees", _employee_raw), ("purchases", _purchase_raw)):
        items = data.get(key)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if (key, i) in failed:
                add(f"{key}[{i}]", check(item))
    return out


def _employee_raw(item: Any) -> list[tuple[str, str]]:
    return employee_problems(item.get("startingPosition") if isinstance(item, Mapping) else None,
                             _get(item, "employmentStart", _to_date),
                             _get(item, "employmentEnd", _to_date),
                             _get(item, "schoolLeftOn", _to_date))


def _purchase_raw(item: Any) -> list[tuple[str, str]]:
    return purchase_problems(_get(item, "invoiceAmount", _to_decimal),
                             _get(item, "supplierTurnover", _to_decimal))


def parse_submission(data: bytes | bytearray | str | Mapping[str, Any], *,
                     check_totals: bool = True) -> Submission:
    """Validate a submission (spec §2.1); raises SubmissionInvalid listing every violation.

    check_totals=False leaves the rulebook-dependent checks (rulebook in force, target-group
    FTE <= totalFte) to score(), which makes them anyway: callers that score right away save
    one pass over the employees.
    """
    if isinstance(data, (bytes, bytearray, memoryview, str)):
        data = decode_json(bytes(data) if isinstance(data, memoryview) else data)
    if not isinstance(data, Mapping):
        raise SubmissionInvalid([{"name": "body", "reason": "Moet een JSON-object zijn."}])
    data = dict(data)
    errors: list[dict[str, str]] = []
    for key, limit, what in (("employees", MAX_EMPLOYEES, "medewerkers"),
                             ("purchases", MAX_PURCHASES, "inkopen")):
        items = data.get(key)
        if isinstance(items, list) and len(items) > limit:
            # Report once and skip the items: validating a flood of them helps nobody.
            errors.append({"name": key, "reason": f"Hoogstens {dutch_number(limit)} {what} per opgave."})
            data[key] = []
    try:
        sub = Submission.model_validate(data)
    except ValidationError as exc:
        errors.extend(_translate(exc))
        errors.extend(_cross_checks_of_failed_items(data, exc))
        raise SubmissionInvalid(errors) from None
    except RecursionError:
        errors.append({"name": "body", "reason": "De invoer is te diep genest."})
        raise SubmissionInvalid(errors) from None
    if errors:
        raise SubmissionInvalid(errors)
    if check_totals:
        score(sub)  # raises SubmissionInvalid for the rulebook-dependent checks
    return sub
