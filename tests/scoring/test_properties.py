"""Invariants checked on generated submissions (hypothesis)."""
import copy
import json
import math
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import parse_submission, score
from scoring.enums import CONTRACT_TYPES, RUNG_ORDER, STARTING_POSITIONS

from .helpers import ALL_GOOD

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

dates = st.dates(min_value=date(2012, 1, 1), max_value=date(2025, 12, 31))


def decimals(lo, hi, places=2):
    return st.decimals(min_value=lo, max_value=hi, places=places, allow_nan=False,
                       allow_infinity=False)


@st.composite
def employees(draw, i):
    start = draw(dates)
    e = {"reference": f"P{i}", "startingPosition": draw(st.sampled_from(STARTING_POSITIONS)),
         "contractType": draw(st.sampled_from(CONTRACT_TYPES)),
         "hoursPerWeek": str(draw(decimals(Decimal("0.5"), Decimal(80)))),
         "employmentStart": start.isoformat(),
         "inTargetGroupRegister": draw(st.booleans())}
    if draw(st.booleans()):
        e["employmentEnd"] = draw(dates.filter(lambda d: d >= start)).isoformat()
    for key in ("wageSubsidyUntil", "wswIndicationUntil"):
        if draw(st.booleans()):
            e[key] = draw(dates).isoformat()
    if e["startingPosition"] == "vso_pro" or draw(st.booleans()):
        e["schoolLeftOn"] = draw(dates).isoformat()
    return e


@st.composite
def purchases(draw, i):
    turnover = draw(decimals(Decimal(1000), Decimal(10**7), 0))
    return {"supplierName": f"S{i}", "supplierKvk": f"{10000000 + i}",
            "supplierKind": draw(st.sampled_from(["pso_certified", "sw_company"])),
            "invoiceAmount": str(draw(decimals(Decimal("0.01"), turnover))),
            "supplierTurnover": str(turnover),
            "supplierFte": str(draw(decimals(Decimal("0.5"), Decimal(500)))),
            "supplierDirectPct": str(draw(decimals(Decimal(0), Decimal(100))))}


@st.composite
def submissions(draw, spare=0):
    n = draw(st.integers(0, 8))
    emps = [draw(employees(i)) for i in range(n)]
    # each employee is at most 1 FTE, so totalFte >= n keeps the input valid
    total = Decimal(n + spare) + draw(decimals(Decimal("0.5"), Decimal(60)))
    out = {"period": {"start": "2024-01-01", "end": "2024-12-31"}, "totalFte": str(total),
           "employees": emps,
           "purchases": [draw(purchases(j)) for j in range(draw(st.integers(0, 3)))],
           "quality": {k: draw(st.booleans()) for k in ALL_GOOD},
           "asOf": "2025-01-15",
           "rulebook": draw(st.sampled_from(["pso-2.1", "pso-1.8"]))}
    if draw(st.booleans()):
        out["actionPlan"] = {"boardApproved": draw(st.booleans()),
                             "targetRung": draw(st.sampled_from(["trede1", "trede2", "trede3"])),
                             "targetDate": draw(dates).isoformat()}
    return out


def _score(data):
    return score(parse_submission(data))


NEW_HIRE = {"reference": "NEW", "startingPosition": "wajong", "contractType": "regular",
            "hoursPerWeek": "40", "employmentStart": "2020-01-01"}


@SETTINGS
@given(submissions(spare=1))
def test_weight_one_hire_never_lowers_direct_pct(data):
    before = _score(data)
    grown = copy.deepcopy(data)
    grown["employees"].append(dict(NEW_HIRE))
    assert _score(grown)["directPct"] >= before["directPct"]  # same organisation size
    grown["totalFte"] = str(Decimal(data["totalFte"]) + 1)
    assert _score(grown)["directPct"] >= before["directPct"] - 1e-12  # and as a new hire


@SETTINGS
@given(submissions())
def test_indirect_at_most_80_percent(data):
    r = _score(data)
    assert r["indirectPctCapped"] <= 4 * r["directPct"] * (1 + 1e-12) + 1e-12
    assert r["indirectPctCapped"] <= 0.8 * r["totalPct"] * (1 + 1e-12) + 1e-12
    assert r["indirectPctCapped"] <= r["indirectPct"]
    assert math.isclose(r["totalPct"], r["directPct"] + r["indirectPctCapped"], rel_tol=1e-12,
                        abs_tol=1e-12)


@SETTINGS
@given(submissions(), st.sampled_from(sorted(ALL_GOOD)))
def test_failing_quality_never_raises_rung(data, criterion):
    before = _score(data)
    worse = copy.deepcopy(data)
    worse["quality"][criterion] = False
    after = _score(worse)
    assert RUNG_ORDER[after["rung"]] <= RUNG_ORDER[before["rung"]]
    assert after["quantitativeRung"] == before["quantitativeRung"]


@SETTINGS
@given(submissions())
def test_identical_input_identical_output(data):
    raw = json.dumps(data)
    first = score(parse_submission(raw))
    assert score(parse_submission(raw)) == first
    assert score(parse_submission(json.loads(raw))) == first
    assert json.dumps(first, sort_keys=True) == json.dumps(_score(data), sort_keys=True)


def _with_hires(data, x: Decimal):
    """The submission plus x FTE of full-period, weight-1, regular hires (size grows by x)."""
    grown = copy.deepcopy(data)
    grown["totalFte"] = str(Decimal(data["totalFte"]) + x)
    k = 0
    while x > 0:
        part = min(x, Decimal(1))
        grown["employees"].append(dict(NEW_HIRE, reference=f"NEW{k}",
                                       hoursPerWeek=str(part * 40)))
        x -= part
        k += 1
    return grown


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(submissions())
def test_next_rung_is_minimal(data):
    r = _score(data)
    nxt = r["nextRung"]
    if nxt is None:
        assert not r["eligible"] or r["quantitativeRung"] == "trede3"
        return
    assert nxt["additionalFte"] is not None  # norms <= 75 % always leave a route
    x = Decimal(str(nxt["additionalFte"]))
    order = RUNG_ORDER[nxt["rung"]]
    reached = _score(_with_hires(data, x))
    assert RUNG_ORDER[reached["quantitativeRung"]] >= order
    if x > Decimal("0.01"):
        short = _score(_with_hires(data, x - Decimal("0.01")))
        assert RUNG_ORDER[short["quantitativeRung"]] < order
