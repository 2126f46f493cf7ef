"""Fast path for scoring a JSON body: msgspec decodes and type-checks it in one C pass.

`fast_parse(raw)` returns a submission of msgspec structs with the same attributes and the
same values as the pydantic `Submission` that `parse_submission(raw)` would build, or None as
soon as anything is not plainly valid: a JSON number with a fraction (JSON numbers other
than integers keep their exact text only on the slow path), an unknown key (pydantic also
takes Python names such as `total_fte`), a wrong type, a value out of range, a failed
cross-field rule, invalid JSON. The caller then runs parse_submission(), which alone words
the errors: so every message and `invalidParams` name stays exactly as before. The field
checks are the model's own (scoring/model.py); tests/scoring/test_fast_path.py compares the
two paths on random valid and invalid submissions.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from .enums import ContractType, StartingPosition, SupplierKind, TargetRung
from .model import (
    MAX_EMPLOYEES,
    MAX_PURCHASES,
    MAX_YEAR,
    MIN_YEAR,
    Amount,
    FullTimeHours,
    HoursPerWeek,
    Kvk,
    Name,
    Percentage,
    Reference,
    RulebookName,
    Submission,
    SupplierFte,
    TotalFte,
    period_problems,
    purchase_problems,
)
from .parse import MAX_BODY_BYTES, parse_submission

Number = str | int  # a decimal text or a whole JSON number; fractions take the slow path


class _Struct(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    pass


class FastPeriod(_Struct):
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class FastEmployee(_Struct):
    reference: str
    starting_position: StartingPosition
    contract_type: ContractType
    hours_per_week: Number
    employment_start: date
    employment_end: date | None = None
    wage_subsidy_until: date | None = None
    wsw_indication_until: date | None = None
    school_left_on: date | None = None
    in_target_group_register: bool = False


class FastPurchase(_Struct):
    supplier_name: str
    supplier_kvk: str
    supplier_kind: SupplierKind
    invoice_amount: Number
    supplier_turnover: Number
    supplier_fte: Number
    supplier_direct_pct: Number


class FastQuality(_Struct):
    suitable_work: bool
    integration: bool
    development: bool
    guidance: bool


class FastActionPlan(_Struct):
    board_approved: bool
    target_rung: TargetRung
    target_date: date


class FastSubmission(_Struct):
    period: FastPeriod
    total_fte: Number
    quality: FastQuality
    full_time_hours_per_week: Number = Decimal(40)  # type: ignore[assignment]
    employees: list[FastEmployee] = msgspec.field(default_factory=list)
    purchases: list[FastPurchase] = msgspec.field(default_factory=list)
    action_plan: FastActionPlan | None = None
    as_of: date | None = None
    rulebook: str | None = None


_DECODER = msgspec.json.Decoder(FastSubmission)


class _Slow(Exception):
    """Not plainly valid: the slow path decides (and words the errors)."""


def _check_of(annotated: Any) -> Any:
    return annotated.__metadata__[0].func  # the PlainValidator's function


# Any: the checked Decimal goes back into a field declared as its JSON type (Number).
def _number(annotated: Any) -> Callable[[Any], Any]:
    """The model's check of a number field, remembered per value (texts repeat: "32")."""
    check: Callable[[Any], Decimal] = _check_of(annotated)
    seen: dict[Any, Decimal] = {}

    def run(value: Any) -> Decimal:
        d = seen.get(value) if type(value) is str else None
        if d is not None:
            return d
        try:
            # the slow path decodes whole JSON numbers as Decimal(text): the same value here
            d = check(Decimal(value) if type(value) is int else value)
        except Exception:  # noqa: BLE001 - any failure: the slow path reports it
            raise _Slow from None
        if type(value) is str:  # pragma: no mutate: AddNot, Is_IsNot (a memo: same values)
            if len(seen) >= 1024:  # pragma: no mutate: GtE_Eq, GtE_Gt, NumberReplacer (a memo)
                seen.clear()
            seen[value] = d
        return d
    return run


def _guarded(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        try:
            return check(value)
        except Exception:  # noqa: BLE001
            raise _Slow from None
    return run


_hours = _number(HoursPerWeek)
_total_fte = _number(TotalFte)
_full_time = _number(FullTimeHours)
_amount = _number(Amount)
_supplier_fte = _number(SupplierFte)
_percentage = _number(Percentage)
_reference = _guarded(_check_of(Reference))
_name = _guarded(_check_of(Name))
_kvk = _guarded(_check_of(Kvk))
_rulebook = _guarded(_check_of(RulebookName))

_FIRST, _LAST = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)


def _in_range(*days: date | None) -> None:
    for d in days:
        if d is not None and not _FIRST <= d <= _LAST:
            raise _Slow


def _check(sub: FastSubmission) -> None:
    """The model's field and cross-field checks; values become Decimal in place."""
    period = sub.period
    _in_range(period.start, period.end, sub.as_of)
    if period_problems(period.start, period.end):
        raise _Slow
    sub.total_fte = _total_fte(sub.total_fte)
    sub.full_time_hours_per_week = _full_time(sub.full_time_hours_per_week)
    if len(sub.employees) > MAX_EMPLOYEES or len(sub.purchases) > MAX_PURCHASES:
        raise _Slow
    for e in sub.employees:
        _reference(e.reference)
        e.hours_per_week = _hours(e.hours_per_week)
        start, end, school = e.employment_start, e.employment_end, e.school_left_on
        _in_range(start, end, school, e.wage_subsidy_until, e.wsw_indication_until)
        if (end is not None and end < start) or (e.starting_position == "vso_pro"
                                                 and school is None):
            raise _Slow  # employee_problems() has something to say
    for p in sub.purchases:
        _name(p.supplier_name)
        _kvk(p.supplier_kvk)
        invoice = p.invoice_amount = _amount(p.invoice_amount)
        turnover = p.supplier_turnover = _amount(p.supplier_turnover)
        p.supplier_fte = _supplier_fte(p.supplier_fte)
        if p.supplier_direct_pct == 0:
            raise _Slow  # a JSON -0 decodes as 0 here but keeps its sign on the slow path
        p.supplier_direct_pct = _percentage(p.supplier_direct_pct)
        if purchase_problems(invoice, turnover):
            raise _Slow
    if sub.action_plan is not None:
        _in_range(sub.action_plan.target_date)
    if sub.rulebook is not None:
        _rulebook(sub.rulebook)


def fast_parse(raw: bytes | bytearray | str) -> FastSubmission | None:
    """The submission in `raw` (JSON) if it is plainly valid, else None (use the slow path)."""
    if len(raw) > MAX_BODY_BYTES:
        return None
    try:
        sub = _DECODER.decode(raw)
        _check(sub)
    except (msgspec.DecodeError, _Slow, RecursionError):
        return None
    return sub


def parse_for_scoring(raw: bytes | bytearray | str) -> FastSubmission | Submission:
    """What score() needs from a JSON body: the fast path, else parse_submission() (without
    its rulebook checks, which score() makes), raising SubmissionInvalid with every error."""
    sub = fast_parse(raw)
    return sub if sub is not None else parse_submission(raw, check_totals=False)


__all__ = ["FastSubmission", "fast_parse", "parse_for_scoring"]
