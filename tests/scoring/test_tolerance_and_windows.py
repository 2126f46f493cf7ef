"""One tolerance for every threshold, pso-1.8's Ukraine window, and the unweighted FTE check."""
from __future__ import annotations

from decimal import Decimal

import pytest

from scoring import SubmissionInvalid
from scoring.rulebook import TOLERANCE

from .helpers import emp, run, submission


def test_the_tolerance_is_the_specs() -> None:
    assert Decimal("1e-9") == TOLERANCE


def test_pso30_plus_qualifies_at_exactly_30_and_not_a_hair_below() -> None:
    # Spec §2.4 step 4: qualifies = pct ≥ 30, no tolerance (that belongs to rung thresholds).
    # 3 full-time Wajong staff on 300 / (30 - 5e-10) FTE: 30 % minus 5e-10 percentage point.
    staff = [emp(f"W{i}") for i in range(3)]
    close = run(submission(staff, total="10.0000000001666"))
    assert close["rung"] == "trede3"
    assert 30 - 1e-9 < close["pso30Plus"]["pct"] < 30
    assert close["pso30Plus"]["qualifies"] is False
    exactly = run(submission(staff, total="10"))
    assert exactly["pso30Plus"] == {"evaluated": True, "pct": 30.0, "qualifies": True}


def test_rungs_reach_their_norm_within_the_same_tolerance() -> None:
    # 1.55 FTE direct (40 h + 22 h on a 40-hour week). At T = 10 the trede3 norm is 15.5 %;
    # just above 10 FTE it falls by 0.5 per FTE (towards 13.0 at 15 FTE).
    staff = [emp("A"), emp("B", hours="22")]
    t = Decimal("10.0000000003")
    norm = Decimal("15.5") - Decimal("0.5") * (t - 10)
    pct = Decimal(155) / t
    assert Decimal(0) < norm - pct < TOLERANCE  # below the norm, but within the tolerance
    close = run(submission(staff, total=str(t)))
    assert close["quantitativeRung"] == "trede3", close["totalPct"]
    t = Decimal("10.000000002")
    assert (Decimal("15.5") - Decimal("0.5") * (t - 10)) - Decimal(155) / t > TOLERANCE
    assert run(submission(staff, total=str(t)))["quantitativeRung"] == "trede2"


def test_pso18_ukraine_protection_keeps_its_five_year_window() -> None:
    # Started 2016-07-01 (pso-1.8 period 2021): 5 years end 2021-07-01 exclusive -> Jan..Jun
    # 2021 = 181 days, weight 0 as before, but the window limits countedDays, fte, the
    # doelgroepregister share and PSO 30+ (as in pso-2.1).
    person = emp(position="ukraine_protection", start="2016-07-01", inTargetGroupRegister=True)
    others = [emp(f"W{i}") for i in range(4)]
    for rulebook in ("pso-1.8", "pso-2.1"):
        result = run(submission([person, *others], total="10", start="2021-01-01",
                                end="2021-12-31", as_of="2022-01-15"), rulebook)
        row = result["employees"][0]
        assert row["countedDays"] == 181, rulebook
        assert row["fte"] == pytest.approx(181 / 365)
        assert result["targetGroupRegisterPct"] == pytest.approx(100 * (181 / 365) / 10)
    old = run(submission([person, *others], total="10", start="2021-01-01", end="2021-12-31",
                         as_of="2022-01-15"), "pso-1.8")
    assert old["employees"][0]["weight"] == 0
    assert old["rung"] == "trede3"
    assert old["pso30Plus"]["pct"] == pytest.approx(100 * (4 + 181 / 365) / 10)


def test_unweighted_fte_is_checked_against_total_fte() -> None:
    # Three full-time trial placements (weight 0.5): weighted 1.5 FTE, unweighted 3 FTE on
    # an organisation of 2 FTE. Impossible data, refused, even though the weighted sum fits.
    staff = [emp(f"T{i}", contract="trial") for i in range(3)]
    with pytest.raises(SubmissionInvalid) as caught:
        run(submission(staff, total="2"))
    [error] = caught.value.errors
    assert error["name"] == "employees"
    assert "totalFte" not in error["reason"] and "3,00 FTE" in error["reason"]
    # 2 FTE unweighted fits exactly.
    assert run(submission(staff[:2], total="2"))["directFte"] == 1.0
