"""Direct and indirect contribution, the 80 % cap, eligibility and the norms (spec §2.3-2.4)."""
from decimal import Decimal

import pytest

from scoring import get_rulebook

from .helpers import emp, purchase, run, submission


def test_direct_pct():
    # 1 wajong full-time full-year in 10 FTE: directFte 1, directPct 10
    r = run(submission([emp()], total="10"))
    assert (r["directFte"], r["directPct"]) == (1.0, 10.0)
    assert r["indirectFte"] == 0 and r["indirectPct"] == 0 and r["totalPct"] == 10.0


def test_indirect_attribution_and_pct():
    # attributed = 100000 / 1000000 x 50 x 40 / 100 = 2.0 FTE
    # indirectPct = 100 x 2 / (10 + 2) = 16.6667; cap 4 x 10 = 40 does not bind
    # totalPct = 10 + 16.6667 = 26.6667
    r = run(submission([emp()], total="10", purchases=[purchase()]))
    assert r["purchases"][0]["attributedFte"] == 2.0
    assert r["indirectFte"] == 2.0
    assert r["indirectPct"] == pytest.approx(100 * 2 / 12, abs=1e-12)
    assert r["indirectPctCapped"] == r["indirectPct"]
    assert r["totalPct"] == pytest.approx(10 + 100 * 2 / 12, abs=1e-12)


def test_indirect_sums_purchases():
    # 2.0 + (50000 / 500000 x 10 x 100 / 100 = 1.0) = 3.0 FTE
    r = run(submission([emp()], total="10", purchases=[
        purchase(), purchase(invoice="50000", turnover="500000", fte="10", pct="100")]))
    assert [p["attributedFte"] for p in r["purchases"]] == [2.0, 1.0]
    assert r["indirectFte"] == 3.0
    assert r["indirectPct"] == pytest.approx(300 / 13, abs=1e-12)


def test_indirect_cap_80_percent():
    # T 100, direct 1 FTE = 1 %. Purchase: 200000/1000000 x 100 x 100/100 = 20 FTE ->
    # indirectPct = 2000 / 120 = 16.667; cap = 4 x 1 = 4 -> capped 4, total 5 (indirect = 80 %)
    r = run(submission([emp()], total="100",
                       purchases=[purchase(invoice="200000", turnover="1000000", fte="100",
                                           pct="100")]))
    assert r["indirectPct"] == pytest.approx(2000 / 120, abs=1e-12)
    assert r["indirectPctCapped"] == 4.0
    assert r["totalPct"] == 5.0
    assert r["indirectPctCapped"] / r["totalPct"] == 0.8


def test_no_direct_means_no_indirect():
    # directPct 0 -> cap 0: indirect cannot carry the score on its own
    r = run(submission([], total="10", purchases=[purchase()]))
    assert r["indirectPct"] > 0 and r["indirectPctCapped"] == 0 and r["totalPct"] == 0


def test_decimal_money_strings():
    # 0.1 + 0.2 style amounts: 0.30 / 3.00 x 10 x 50 / 100 = 0.5 FTE exactly
    r = run(submission([emp()], purchases=[purchase(invoice="0.30", turnover="3.00", fte="10",
                                                    pct="50")]))
    assert r["purchases"][0]["attributedFte"] == 0.5


@pytest.mark.parametrize("total,eligible", [("1.99", False), ("2", True), ("2.00", True)])
def test_eligibility_two_fte(total, eligible):
    r = run(submission([emp(hours="20")], total=total))
    assert r["eligible"] is eligible
    if not eligible:
        assert r["rung"] == "none" and r["quantitativeRung"] == "none"
        assert r["nextRung"] is None and r["ineligibleReasons"]
    else:
        assert r["ineligibleReasons"] == []


def test_ineligible_even_with_action_plan_and_high_score():
    # 1 FTE org, 1 wajong: 100 % direct, but below 2 FTE -> none, not aspirant
    r = run(submission([emp()], total="1", actionPlan={
        "boardApproved": True, "targetRung": "trede1", "targetDate": "2026-01-01"}))
    assert r["rung"] == "none" and r["eligible"] is False


THRESHOLD_CASES = [
    # size, trede1, trede2, trede3 -- table rows and hand interpolation
    ("2", "21.4", "28.0", "33.0"),
    ("10", "6.7", "9.0", "15.5"),
    # 12.5 is halfway 10..15: 6.7 - 0.5/2 = 6.45; 9.0 - 1.0/2 = 8.5; 15.5 - 2.5/2 = 14.25
    ("12.5", "6.45", "8.5", "14.25"),
    # 47 between 45 and 50, t = 2/5: 3.4 - 0.4 x 0.4 = 3.24; 4.6 - 0.9 x 0.4 = 4.24;
    # 7.4 - 0.6 x 0.4 = 7.16
    ("47", "3.24", "4.24", "7.16"),
    # 102.5 halfway 100..105: 1.45, 2.0, 3.8
    ("102.5", "1.45", "2.0", "3.8"),
    ("105", "1.4", "1.9", "3.7"),
    ("5000", "1.4", "1.9", "3.7"),
]


@pytest.mark.parametrize("size,t1,t2,t3", THRESHOLD_CASES)
def test_thresholds_interpolated(size, t1, t2, t3):
    rb = get_rulebook("pso-2.1")
    th = rb.thresholds(Decimal(size))
    assert th["trede1"] == Decimal(t1) and th["trede2"] == Decimal(t2)
    assert th["trede3"] == Decimal(t3)
    # basistrede = 0.75 x trede1
    assert th["basistrede"] == Decimal(t1) * Decimal("0.75")
    r = run(submission([], total=size))
    assert r["thresholds"] == {"basistrede": float(Decimal(t1) * Decimal("0.75")),
                               "trede1": float(t1), "trede2": float(t2), "trede3": float(t3)}


def test_no_basistrede_in_18():
    r = run(submission([], total="10"), rulebook="pso-1.8")
    assert set(r["thresholds"]) == {"trede1", "trede2", "trede3"}


RUNG_CASES = [
    # total FTE, hours of one full-year wajong (40 h week), rulebook, expected quantitative rung
    # T 10: 36 h -> 0.9 FTE -> 9.0 % = trede2 threshold exactly -> trede2 (equal reaches)
    ("10", "36", "pso-2.1", "trede2"),
    # 35.99 h -> 0.89975 FTE -> 8.9975 % < 9.0 -> trede1 (>= 6.7)
    ("10", "35.99", "pso-2.1", "trede1"),
    # T 12.5: 32.25 h -> 0.80625 FTE -> 6.45 % = interpolated trede1 exactly -> trede1
    ("12.5", "32.25", "pso-2.1", "trede1"),
    # 32.24 h -> 6.448 % -> below trede1, above basistrede 4.8375 -> basistrede
    ("12.5", "32.24", "pso-2.1", "basistrede"),
    # same in 1.8: no basistrede -> none
    ("12.5", "32.24", "pso-1.8", "none"),
    # T 10, 20.1 h -> 0.5025 FTE -> 5.025 % = basistrede 0.75 x 6.7 exactly -> basistrede
    ("10", "20.1", "pso-2.1", "basistrede"),
    ("10", "20.09", "pso-2.1", "none"),
    # T 3: trede1 = 21.4 - 8.8/3 = 18.4666... (not a finite decimal). 22.16 h -> 0.554 FTE
    # -> 55.4/3 % = the same value: reaches despite rounding on both sides
    ("3", "22.16", "pso-2.1", "trede1"),
    ("3", "22.15", "pso-2.1", "basistrede"),
    # T 10, 40 h -> 10 % -> trede2 (9.0) but not trede3 (15.5)
    ("10", "40", "pso-1.8", "trede2"),
]


@pytest.mark.parametrize("total,hours,rulebook,rung", RUNG_CASES)
def test_quantitative_rung(total, hours, rulebook, rung):
    r = run(submission([emp(hours=hours)], total=total), rulebook=rulebook)
    assert r["quantitativeRung"] == rung
    assert r["rung"] == rung


def test_register_pct():
    # target_group_register 1 FTE + participatiewet flagged in register 0.5 FTE (20 h) +
    # wajong not in register -> (1 + 0.5) / 10 = 15 %
    r = run(submission([
        emp("A", "target_group_register"),
        emp("B", "participatiewet", hours="20", start="2022-01-01", inTargetGroupRegister=True),
        emp("C", "wajong"),
    ], total="10"))
    assert r["targetGroupRegisterPct"] == 15.0
