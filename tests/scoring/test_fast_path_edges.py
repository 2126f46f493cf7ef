"""The fast path (scoring/fast.py) takes every plainly valid submission up to its edges and
declines just beyond them, found by mutation testing (docs/testing.md). Declining a valid
body would give the same answer through the slow path, only slower: so these tests look at
fast_parse() itself. The scores of both paths are compared in test_fast_path*.py."""

from __future__ import annotations

import copy
import json

import pytest

from scoring import SubmissionInvalid
from scoring.fast import fast_parse, parse_for_scoring
from scoring.model import MAX_EMPLOYEES, MAX_PURCHASES, MAX_YEAR, MIN_YEAR
from scoring.parse import MAX_BODY_BYTES

FIRST, LAST = f"{MIN_YEAR}-01-01", f"{MAX_YEAR}-12-31"
BASE = {
    "period": {"start": "2024-01-01", "end": "2024-12-31"},
    "totalFte": "10",
    "quality": {"suitableWork": True, "integration": True, "development": True, "guidance": True},
}
EMPLOYEE = {
    "reference": "P",
    "startingPosition": "wajong",
    "contractType": "regular",
    "hoursPerWeek": "32",
    "employmentStart": "2020-01-01",
}
PURCHASE = {
    "supplierName": "S",
    "supplierKvk": "12345678",
    "supplierKind": "sw_company",
    "invoiceAmount": "10",
    "supplierTurnover": "100",
    "supplierFte": "5",
    "supplierDirectPct": "40",
}


def body(**fields) -> bytes:
    return json.dumps({**copy.deepcopy(BASE), **fields}).encode()


def test_the_first_and_last_day_of_the_year_range_take_the_fast_path() -> None:
    employee = {
        **EMPLOYEE,
        "employmentStart": FIRST,
        "employmentEnd": LAST,
        "wageSubsidyUntil": LAST,
        "wswIndicationUntil": FIRST,
        "schoolLeftOn": LAST,
    }
    plan = {"boardApproved": True, "targetRung": "trede2", "targetDate": LAST}
    assert fast_parse(body(employees=[employee], actionPlan=plan, asOf=LAST)) is not None
    assert fast_parse(body(period={"start": FIRST, "end": FIRST})) is not None
    assert fast_parse(body(period={"start": LAST, "end": LAST})) is not None
    for key in ("employmentEnd", "wageSubsidyUntil", "wswIndicationUntil", "schoolLeftOn"):
        assert fast_parse(body(employees=[{**EMPLOYEE, key: f"{MAX_YEAR + 1}-01-01"}])) is None
    assert fast_parse(body(actionPlan={**plan, "targetDate": f"{MAX_YEAR + 1}-01-01"})) is None
    assert fast_parse(body(asOf=f"{MIN_YEAR - 1}-12-31")) is None


def test_a_one_day_employment_and_a_school_leaver_with_a_date_take_the_fast_path() -> None:
    one_day = {**EMPLOYEE, "employmentEnd": EMPLOYEE["employmentStart"]}
    vso = {**EMPLOYEE, "startingPosition": "vso_pro", "schoolLeftOn": "2019-07-01"}
    assert fast_parse(body(employees=[one_day, vso])) is not None
    assert fast_parse(body(employees=[{**one_day, "employmentEnd": "2019-12-31"}])) is None


def test_purchases_with_a_direct_percentage_take_the_fast_path() -> None:
    sub = fast_parse(body(purchases=[PURCHASE, {**PURCHASE, "supplierDirectPct": 100}]))
    assert sub is not None and [str(p.supplier_direct_pct) for p in sub.purchases] == ["40", "100"]


def test_the_largest_lists_and_body_take_the_fast_path_and_one_more_does_not() -> None:
    most = body(employees=[EMPLOYEE] * MAX_EMPLOYEES, purchases=[PURCHASE] * MAX_PURCHASES)
    assert fast_parse(most) is not None
    assert fast_parse(body(employees=[EMPLOYEE] * (MAX_EMPLOYEES + 1))) is None
    assert fast_parse(body(purchases=[PURCHASE] * (MAX_PURCHASES + 1))) is None
    padded = body() + b" " * (MAX_BODY_BYTES - len(body()))
    assert fast_parse(padded) is not None
    assert fast_parse(padded + b" ") is None


def test_an_invalid_text_field_sends_the_body_to_the_slow_path() -> None:
    # The model's own checks raise their pydantic error; the fast path must decline, not raise.
    for employee, purchase, rulebook in (
        ({**EMPLOYEE, "reference": "x" * 65}, PURCHASE, None),
        ({**EMPLOYEE, "reference": "123456782"}, PURCHASE, None),  # a valid BSN
        (EMPLOYEE, {**PURCHASE, "supplierName": " "}, None),
        (EMPLOYEE, {**PURCHASE, "supplierKvk": "1234567"}, None),
        (EMPLOYEE, PURCHASE, "pso-9"),
    ):
        raw = body(employees=[employee], purchases=[purchase], rulebook=rulebook)
        assert fast_parse(raw) is None, (employee, purchase, rulebook)
        with pytest.raises(SubmissionInvalid):
            parse_for_scoring(raw)


def test_the_slow_path_leaves_the_rulebook_checks_to_score() -> None:
    """parse_for_scoring() parses; score() makes the checks that need the rulebook (target
    group FTE at most totalFte), once: a body on the slow path (a fraction as a JSON number)
    with more target-group FTE than the organisation has is parsed, and score refuses it."""
    from scoring import Submission, score

    raw = body(employees=[{**EMPLOYEE, "reference": f"P{i}", "hoursPerWeek": 32.5}
                          for i in range(10)], totalFte="1")
    assert fast_parse(raw) is None
    parsed = parse_for_scoring(raw)
    assert isinstance(parsed, Submission) and len(parsed.employees) == 10
    with pytest.raises(SubmissionInvalid) as refused:
        score(parsed)
    assert [e["name"] for e in refused.value.errors] == ["employees"]
    assert "meer dan het totaal van de organisatie" in refused.value.errors[0]["reason"]
