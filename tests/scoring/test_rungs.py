"""Quality gate, aspirant, PSO 30+ and nextRung (spec §2.4)."""
import time
from datetime import date, datetime, timedelta
from fractions import Fraction
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from scoring import get_rulebook
from scoring.engine import amsterdam_today
from scoring.next_rung import additional_fte

from .helpers import ALL_GOOD, emp, purchase, run, submission

PLAN = {"boardApproved": True, "targetRung": "trede1", "targetDate": "2026-02-01"}


def trede2_org(**kw):
    # T 10, 1 wajong 40 h: 10 % -> trede2 (9.0 <= 10 < 15.5)
    return submission([emp()], total="10", **kw)


@pytest.mark.parametrize("criterion", sorted(ALL_GOOD))
def test_quality_gate(criterion):
    r = run(trede2_org(quality=dict(ALL_GOOD, **{criterion: False})))
    assert r["quantitativeRung"] == "trede2"
    assert r["qualityPassed"] is False and r["failedQualityCriteria"] == [criterion]
    assert r["rung"] == "none"


def test_quality_gate_lists_all_failures_in_order():
    r = run(trede2_org(quality={"suitableWork": False, "integration": True,
                                "development": False, "guidance": False}))
    assert r["failedQualityCriteria"] == ["suitableWork", "development", "guidance"]


def test_quality_failed_with_plan_gives_aspirant():
    r = run(trede2_org(quality=dict(ALL_GOOD, guidance=False), actionPlan=PLAN))
    assert r["rung"] == "aspirant"


# asOf 2025-02-01; "at most 2 years after" = up to and including 2027-02-01
ASPIRANT_CASES = [
    ("2027-02-01", True, "trede1", "2025-02-01", "exactly 2 years"),
    ("2027-02-02", True, "trede1", "2025-02-01", "2 years and a day"),
    ("2025-02-02", True, "trede3", "2025-02-01", "the day after asOf"),
    ("2025-02-01", True, "trede1", "2025-02-01", "on asOf is not after it"),
    ("2025-01-31", True, "trede1", "2025-02-01", "in the past"),
    ("2026-02-01", False, "trede1", "2025-02-01", "not board-approved"),
    # asOf 29 Feb 2024: 2 years later is 28 Feb 2026
    ("2026-02-28", True, "trede2", "2024-02-29", "leap asOf, 28 Feb"),
    ("2026-03-01", True, "trede2", "2024-02-29", "leap asOf, 1 Mar"),
]


@pytest.mark.parametrize("target_date,approved,target,as_of,why", ASPIRANT_CASES,
                         ids=[c[4] for c in ASPIRANT_CASES])
def test_aspirant(target_date, approved, target, as_of, why):
    # T 100 and nobody from the target group: quantitative none
    expected = "aspirant" if why in {"exactly 2 years", "the day after asOf",
                                     "leap asOf, 28 Feb"} else "none"
    r = run(submission([], total="100", as_of=as_of, actionPlan={
        "boardApproved": approved, "targetRung": target, "targetDate": target_date}))
    assert r["quantitativeRung"] == "none"
    assert r["rung"] == expected


def test_aspirant_not_when_rung_reached():
    r = run(trede2_org(actionPlan=PLAN))
    assert r["rung"] == "trede2"


def test_as_of_defaults_to_today():
    today = amsterdam_today()
    target = (today + timedelta(days=365)).isoformat()
    r = run(submission([], total="100", as_of=None, actionPlan=dict(PLAN, targetDate=target)))
    assert r["asOf"] == today.isoformat()
    assert r["rung"] == "aspirant"


def test_as_of_defaults_to_amsterdams_day_whatever_the_hosts_time_zone(monkeypatch):
    # At every moment one of these two zones (UTC+14, UTC-11) has another date than
    # Amsterdam, so a host-time default fails in at least one of them.
    seen = []
    try:
        for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            before = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
            r = run(submission([], total="100", as_of=None))
            after = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
            assert r["asOf"] in (before.isoformat(), after.isoformat())
            seen.append(date.today() != before)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert any(seen)  # the host's date really differed in one zone


def test_target_rung_must_be_a_trede():
    from scoring import SubmissionInvalid
    with pytest.raises(SubmissionInvalid) as err:
        run(submission([], total="100", actionPlan=dict(PLAN, targetRung="basistrede")))
    assert err.value.errors[0]["name"] == "actionPlan.targetRung"


def _thirty(employees, total="10"):
    return run(submission(employees, total=total))


def test_pso30_qualifies_exactly_30():
    # T 10, 3 wajong full-time: direct 30 % -> trede3 (15.5); 30+ pct = 3/10 = 30 % -> qualifies
    r = _thirty([emp(f"W{i}") for i in range(3)])
    assert r["rung"] == "trede3"
    assert r["pso30Plus"] == {"evaluated": True, "pct": 30.0, "qualifies": True}


def test_pso30_counts_only_its_groups_and_contracts():
    # 2 wajong regular (2 FTE) + 1 wsw secondment (1) + 1 participatiewet in register (1)
    # + 1 wia internship (not counted: contract) + 1 participatiewet not in register (not counted)
    # 30+ FTE = 4 -> 40 %. Direct: 2 + 0.9 + 1 + 0.75 + 1 = 5.65 -> trede3.
    r = _thirty([
        emp("A"), emp("B"), emp("C", "wsw", "secondment"),
        emp("D", "participatiewet", start="2022-01-01", inTargetGroupRegister=True),
        emp("E", "wia_wao_waz", "internship", start="2023-01-01"),
        emp("F", "participatiewet", start="2022-01-01"),
    ])
    assert r["rung"] == "trede3"
    assert r["pso30Plus"]["pct"] == 40.0 and r["pso30Plus"]["qualifies"]


def test_pso30_below_30():
    # 2 wajong + 2 participatiewet: direct 40 % (trede3), 30+ = 20 %
    r = _thirty([emp("A"), emp("B"), emp("C", "participatiewet", start="2022-01-01"),
                 emp("D", "participatiewet", start="2022-01-01")])
    assert r["rung"] == "trede3"
    assert r["pso30Plus"] == {"evaluated": True, "pct": 20.0, "qualifies": False}


def test_pso30_ignores_indirect():
    # direct 10 % + big indirect -> trede3; 30+ pct is only the own staff: 10 %
    r = run(submission([emp()], total="10", purchases=[purchase(invoice="500000")]))
    assert r["rung"] == "trede3"
    assert r["pso30Plus"]["pct"] == 10.0


def test_pso30_only_on_trede3():
    r = _thirty([emp()])  # 10 % -> trede2
    assert r["rung"] == "trede2"
    assert r["pso30Plus"] == {"evaluated": False, "pct": None, "qualifies": False}


def test_pso30_not_when_quality_fails():
    r = run(submission([emp(f"W{i}") for i in range(4)], total="10",
                       quality=dict(ALL_GOOD, integration=False)))
    assert r["quantitativeRung"] == "trede3" and r["rung"] == "none"
    assert r["pso30Plus"]["evaluated"] is False


# ---- nextRung ---------------------------------------------------------------------------

def test_next_rung_hand_computed():
    # T 10, direct 0.9 FTE (9.0 % = trede2). For trede3 with x new FTE (x <= 5, so the norm is
    # interpolated between sizes 10 and 15): 100 (0.9 + x) / (10 + x) >= 15.5 - 0.5 x
    # <=> 0.5 x^2 + 89.5 x - 65 >= 0 <=> x >= 0.7234 -> 0.73 on the 0.01 grid.
    # check: x = 0.72: 162/10.72 = 15.112 < 15.14; x = 0.73: 163/10.73 = 15.191 >= 15.135
    r = run(submission([emp(hours="36")], total="10"))
    assert r["quantitativeRung"] == "trede2"
    assert r["nextRung"] == {"rung": "trede3", "thresholdPct": 15.5, "additionalFte": 0.73}


def test_next_rung_from_none_is_basistrede_or_trede1():
    # T 10, nobody: basistrede at size 10 + x needs 100 x / (10 + x) >= 0.75 (6.7 - 0.1 x)
    # <=> 100 x >= (5.025 - 0.075 x)(10 + x) <=> 0.075 x^2 + 95.775 x - 50.25 >= 0
    # <=> x >= 0.52428 -> 0.53
    r = run(submission([], total="10"))
    assert r["nextRung"]["rung"] == "basistrede" and r["nextRung"]["additionalFte"] == 0.53
    # pso-1.8: trede1, 100 x / (10 + x) >= 6.7 - 0.1 x <=> 0.1 x^2 + 94.3 x - 67 >= 0
    # <=> x >= 0.71 (0.70997...) -> 0.71
    r = run(submission([], total="10"), rulebook="pso-1.8")
    assert r["nextRung"]["rung"] == "trede1" and r["nextRung"]["additionalFte"] == 0.71


def test_next_rung_none_on_trede3():
    r = run(submission([emp(f"W{i}") for i in range(3)], total="10"))
    assert r["quantitativeRung"] == "trede3" and r["nextRung"] is None


def test_next_rung_null_when_out_of_reach():
    # With real rulebooks the bound is never hit (norms <= 75 % give x <= 3 T); use a fake
    # rulebook whose norm is 100 % (never reached while direct < 100 %).
    fake = SimpleNamespace(cap_factor=4, basistrede_factor=None,
                           threshold=lambda rung, size: 100,
                           float_norms=([2.0, 105.0], {"trede1": [100.0, 100.0]}))
    from decimal import Decimal
    assert additional_fte(Decimal(0), Decimal(0), Decimal(10), fake, "trede1") is None


# Independent oracle in exact fractions, for brute force on small cases.
def _thr(rb, rung, size):
    sizes = [Fraction(s) for s in rb.norm_sizes]
    col = [Fraction(v) for v in rb.norm_columns["trede1" if rung == "basistrede" else rung]]
    if size <= sizes[0]:
        v = col[0]
    elif size >= sizes[-1]:
        v = col[-1]
    else:
        j = next(i for i in range(1, len(sizes)) if size < sizes[i])
        v = col[j - 1] + (col[j] - col[j - 1]) * (size - sizes[j - 1]) / (sizes[j] - sizes[j - 1])
    return v * Fraction(rb.basistrede_factor) if rung == "basistrede" else v


def _reaches(rb, D, I, T, rung, x):
    s = T + x
    d = 100 * (D + x) / s
    i = 100 * I / (s + I)
    return d + min(i, 4 * d) >= _thr(rb, rung, s)


BRUTE = [
    # total FTE, employees as (position, hours), purchases as (invoice, turnover, fte, pct)
    ("2", [], []),
    ("3", [("wajong", "10")], []),
    ("4.5", [("ww", "40")], [("20000", "100000", "10", "30")]),
    ("7", [("wajong", "13")], [("1000", "100000", "40", "10")]),
    ("12", [("bbl_bol_2", "40"), ("wajong", "8")], [("90000", "100000", "30", "90")]),
    ("19.5", [("wajong", "20")], []),
    ("33", [("wajong", "40"), ("wsw", "40")], [("10000", "20000", "4", "50")]),
    ("101", [("wajong", "40")], []),
]


@pytest.mark.parametrize("rulebook", ["pso-2.1", "pso-1.8"])
@pytest.mark.parametrize("total,emps,purchases", BRUTE)
def test_next_rung_brute_force(rulebook, total, emps, purchases):
    r = run(submission([emp(f"E{i}", p, hours=h, start="2022-01-01")
                        for i, (p, h) in enumerate(emps)], total=total,
                       purchases=[purchase(*p) for p in purchases]), rulebook=rulebook)
    nxt = r["nextRung"]
    if nxt is None:
        assert r["quantitativeRung"] == "trede3"
        return
    rb = get_rulebook(rulebook)
    T = Fraction(total)
    # recompute D and I exactly from the inputs (full-year employees, 40 h week)
    D = sum(Fraction(h) / 40 * Fraction(rb.positions[p].weight) for p, h in emps)
    I = sum(Fraction(a) / Fraction(b) * Fraction(c) * Fraction(e) / 100
            for a, b, c, e in purchases)
    k = 1
    while not _reaches(rb, D, I, T, nxt["rung"], Fraction(k, 100)):
        k += 1
    assert nxt["additionalFte"] == k / 100


def test_next_rung_with_large_indirect():
    # T 20, direct 8 h = 0.2 FTE (1 %), indirect 10 FTE: indirectPct = 1000/30 = 33.3 % but
    # capped at 4 %, total 5 % -> trede1 (5.7 at size 20? no: 5.7 > 5 -> basistrede 4.275).
    # Every new hire raises the cap but lowers the uncapped indirect %; the answer must still be
    # the smallest grid point, checked against the exact oracle.
    rb = get_rulebook("pso-2.1")
    r = run(submission([emp(hours="8")], total="20",
                       purchases=[purchase(invoice="1000000", turnover="1000000", fte="10",
                                           pct="100")]))
    assert r["indirectPctCapped"] == 4.0 and r["quantitativeRung"] == "basistrede"
    nxt = r["nextRung"]
    assert nxt["rung"] == "trede1"
    x = Fraction(str(nxt["additionalFte"]))
    D, I, T = Fraction(1, 5), Fraction(10), Fraction(20)
    assert _reaches(rb, D, I, T, "trede1", x)
    assert not _reaches(rb, D, I, T, "trede1", x - Fraction(1, 100))
