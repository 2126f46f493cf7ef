"""The fast path against the slow path on inputs generated from the input model itself
(scoring/model.py's JSON schema): every field of every object, at and just past its bounds
(dates at the year range's ends, numbers at their limits, text at its length), every enum
value, removed and null; and the rules between fields (vso_pro without schoolLeftOn, an end
before a start, invoice above turnover, a period over 366 days). A check that one path has
and the other lacks shows up as a difference. A new field is included by itself."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.model import MAX_YEAR, MIN_YEAR, Submission

from .test_fast_path import _fast, _slow
from .test_properties import submissions

SETTINGS = settings(max_examples=500, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
SCHEMA = Submission.model_json_schema(by_alias=True)
DATES = [f"{MIN_YEAR}-01-01", f"{MIN_YEAR - 1}-12-31", f"{MAX_YEAR}-12-31",
         f"{MAX_YEAR + 1}-01-01", "2024-01-01", "2024-12-31", "2023-12-31", "2025-01-01",
         "2024-02-29", "2023-02-29"]


def _plain(spec: dict) -> dict:
    """The non-null alternative of an optional field, with the field's own bounds."""
    for option in spec.get("anyOf", []):
        if option.get("type") != "null" and "pattern" not in option:
            return {**spec, **option} if "anyOf" in spec and "format" in option else spec
    return spec


def edges(spec: dict) -> list:
    """Values at and just past the field's bounds, from its schema."""
    spec = _plain(spec)
    out: list = [None]
    if spec.get("format") == "date":
        return out + DATES
    if "enum" in spec:
        return out + list(spec["enum"]) + ["onbekend"]
    if spec.get("type") == "boolean":
        return out + [True, False, "true", 1]
    if spec.get("type") == "string":
        n = spec.get("maxLength", 8)
        return out + ["x" * n, "x" * (n + 1), "", " ", "12345678", "1234567", "123456782"]
    numbers = []
    for key in ("minimum", "exclusiveMinimum", "maximum"):
        if key in spec:
            bound = Decimal(str(spec[key])).normalize()
            numbers += [bound, bound - Decimal("0.01"), bound + Decimal("0.01")]
    numbers += [Decimal(1), Decimal("0.5"), Decimal(40)]
    return out + [str(d) for d in numbers] + [float(d) for d in numbers if d == d.to_integral()]


def _objects(data: dict) -> list[tuple[str, dict]]:
    """(model name, object) for each object of the submission."""
    found = [("Submission", data)]
    for key, name in (("period", "Period"), ("quality", "Quality"), ("actionPlan", "ActionPlan")):
        if isinstance(data.get(key), dict):
            found.append((name, data[key]))
    found += [("Employee", e) for e in data.get("employees", []) if isinstance(e, dict)]
    found += [("Purchase", p) for p in data.get("purchases", []) if isinstance(p, dict)]
    return found


def _fields(name: str) -> dict:
    return SCHEMA["properties"] if name == "Submission" else SCHEMA["$defs"][name]["properties"]


# The rules between fields (scoring/model.py: period_problems, employee_problems,
# purchase_problems, the action plan's date), each as a change that breaks or meets it.
def _cross(draw, data: dict) -> None:
    rule = draw(st.integers(0, 6))
    employee = draw(st.sampled_from(data["employees"]))
    if rule == 0:
        employee["startingPosition"] = "vso_pro"
        if draw(st.booleans()):
            employee.pop("schoolLeftOn", None)
    elif rule == 1:
        employee["employmentEnd"] = draw(st.sampled_from(["2019-12-31", "2020-01-01"]))
        employee["employmentStart"] = "2020-01-01"
    elif rule == 2 and data["purchases"]:
        purchase = draw(st.sampled_from(data["purchases"]))
        purchase["invoiceAmount"] = str(Decimal(purchase["supplierTurnover"])
                                        + draw(st.sampled_from([0, Decimal("0.01")])))
    elif rule == 3:
        data["period"] = {"start": "2024-01-01",
                          "end": draw(st.sampled_from(["2024-12-31", "2025-01-01", "2023-12-31"]))}
    elif rule == 4:
        data["asOf"] = draw(st.sampled_from(DATES))
    elif rule == 5:
        data["actionPlan"] = {"boardApproved": True, "targetRung": "trede1",
                              "targetDate": draw(st.sampled_from([*DATES, "2025-06-01"]))}
    else:  # every date of an employee has the model's year range
        key = draw(st.sampled_from(sorted(k for k, v in _fields("Employee").items()
                                          if _plain(v).get("format") == "date")))
        employee[key] = draw(st.sampled_from(DATES[:4]))


@st.composite
def from_the_model(draw):
    data = draw(submissions())
    if not data["employees"]:
        data["employees"].append({"reference": "P", "startingPosition": "wajong",
                                  "contractType": "regular", "hoursPerWeek": "32",
                                  "employmentStart": "2020-01-01"})
    if draw(st.booleans()):
        _cross(draw, data)
    for _ in range(draw(st.integers(0, 2))):
        objects = _objects(data)
        name = draw(st.sampled_from(sorted({n for n, _ in objects})))  # each model alike
        target = draw(st.sampled_from([o for n, o in objects if n == name]))
        field = draw(st.sampled_from(sorted(_fields(name))))
        if field in ("employees", "purchases", "period", "quality", "actionPlan"):
            continue  # their own fields are reached through the objects
        if draw(st.integers(0, 4)) == 0:
            target.pop(field, None)
        else:
            target[field] = draw(st.sampled_from(edges(_fields(name)[field])))
    return data


def test_every_field_of_the_model_has_edges() -> None:
    names = ["Submission", *SCHEMA["$defs"]]
    assert {"Employee", "Purchase", "Period", "Quality", "ActionPlan"} <= set(names)
    for name in names:
        for field, spec in _fields(name).items():
            if field not in ("employees", "purchases", "period", "quality", "actionPlan"):
                assert len(edges(spec)) > 2, (name, field)


@SETTINGS
@given(from_the_model())
def test_inputs_from_the_model_score_or_fail_the_same_on_both_paths(data):
    raw = json.dumps(data).encode()
    assert _fast(raw) == _slow(raw)


def test_the_named_cross_field_rules_and_year_range_agree() -> None:
    base = {"period": {"start": "2024-01-01", "end": "2024-12-31"}, "totalFte": "10",
            "quality": {"suitableWork": True, "integration": True, "development": True,
                        "guidance": True},
            "employees": [{"reference": "P", "startingPosition": "wajong",
                           "contractType": "regular", "hoursPerWeek": "32",
                           "employmentStart": "2020-01-01"}]}
    cases = []
    for key in ("wageSubsidyUntil", "wswIndicationUntil", "schoolLeftOn", "employmentEnd"):
        for day in (f"{MIN_YEAR - 1}-12-31", f"{MAX_YEAR + 1}-01-01"):
            case = copy.deepcopy(base)
            case["employees"][0][key] = day
            cases.append(case)
    vso = copy.deepcopy(base)
    vso["employees"][0]["startingPosition"] = "vso_pro"
    cases.append(vso)
    for case in cases:
        raw = json.dumps(case).encode()
        assert _slow(raw)[0] == "invalid", case
        assert _fast(raw) == _slow(raw), case
