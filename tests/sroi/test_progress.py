"""progress(): hand-computed figures for a contract of 2025 (365 days)."""
from datetime import date
from decimal import Decimal

import pytest

from sroi.progress import Realised, progress, quarters_of

YEAR = (date(2025, 1, 1), date(2025, 12, 31))


def test_behind_with_projection_and_quarters():
    # 1 000,00 spread over January (31 days) and a purchase of 500,00 on 10 April.
    lines = [Realised(Decimal("1000.00"), date(2025, 1, 1), date(2025, 1, 31)),
             Realised(Decimal("500.00"), date(2025, 4, 10), date(2025, 4, 10))]
    p = progress(Decimal("10000.00"), lines, YEAR, date(2025, 6, 30))
    assert p.realised == Decimal("1500.00")
    assert p.elapsed_days == 181 and p.period_days == 365
    assert p.realised_pct == Decimal("15.0") and p.elapsed_pct == Decimal("49.6")
    assert not p.on_track and p.status == "achter"
    # 1 500 × 365 ÷ 181 = 3 024,861... → 3 024,86
    assert p.projection == Decimal("3024.86")
    assert p.shortfall == Decimal("6975.14")
    assert [(q.label, q.amount, q.cumulative) for q in p.quarters] == [
        ("2025 K1", Decimal("1000.00"), Decimal("1000.00")),
        ("2025 K2", Decimal("500.00"), Decimal("1500.00")),
        ("2025 K3", Decimal("0.00"), Decimal("1500.00")),
        ("2025 K4", Decimal("0.00"), Decimal("1500.00"))]


def test_value_spread_over_quarters_adds_up_to_the_cent():
    # 100,00 over 1 March..30 April (61 days): 31/61 in K1 = 50,819... → 50,82; K2 the rest.
    p = progress(Decimal("100.00"), [Realised(Decimal("100.00"), date(2025, 3, 1),
                                              date(2025, 4, 30))], YEAR, date(2025, 12, 31))
    assert [q.amount for q in p.quarters][:2] == [Decimal("50.82"), Decimal("49.18")]
    assert sum(q.amount for q in p.quarters) == Decimal("100.00")
    assert p.status == "behaald" and p.projection == Decimal("100.00") and not p.shortfall


def test_on_track_before_and_after_the_period():
    lines = [Realised(Decimal("2600.00"), date(2025, 2, 1), date(2025, 2, 1))]
    p = progress(Decimal("10000.00"), lines, YEAR, date(2025, 3, 31))  # 90 days: 24,7 %
    assert p.on_track and p.status == "op schema" and p.elapsed_pct == Decimal("24.7")
    early = progress(Decimal("10000.00"), [], YEAR, date(2024, 12, 1))
    assert early.elapsed_days == 0 and early.projection is None and early.on_track
    assert early.shortfall == Decimal("10000.00")
    late = progress(Decimal("10000.00"), lines, YEAR, date(2026, 3, 1))
    assert late.elapsed_days == 365 and late.projection == Decimal("2600.00")
    assert late.shortfall == Decimal("7400.00") and late.status == "achter"


def test_quarters_clip_to_a_period_that_starts_mid_quarter():
    assert quarters_of((date(2025, 2, 15), date(2025, 7, 1))) == [
        ("2025 K1", date(2025, 2, 15), date(2025, 3, 31)),
        ("2025 K2", date(2025, 4, 1), date(2025, 6, 30)),
        ("2025 K3", date(2025, 7, 1), date(2025, 7, 1))]
    assert quarters_of((date(2025, 11, 1), date(2026, 1, 5)))[-1][0] == "2026 K1"


def test_nil_target_is_met_and_bad_item_refused():
    assert progress(Decimal("0.00"), [], YEAR, date(2025, 6, 1)).status == "behaald"
    with pytest.raises(ValueError):
        progress(Decimal("1.00"), [Realised(Decimal(1), date(2025, 2, 2), date(2025, 2, 1))],
                 YEAR, date(2025, 6, 1))


def test_days_still_to_come_do_not_speed_up_the_pace():
    # 900,00 over January..March (90 days), on 10 January: 10 days = 100,00 so far, over 10
    # of 365 days → 3.650,00; never below the 900,00 accepted.
    line = [Realised(Decimal("900.00"), date(2025, 1, 1), date(2025, 3, 31))]
    assert progress(Decimal(5000), line, YEAR, date(2025, 1, 10)).projection == Decimal(
        "3650.00")
    assert progress(Decimal(5000), [Realised(Decimal("900.00"), date(2025, 6, 1),
                                               date(2025, 6, 30))], YEAR,
                    date(2025, 1, 10)).projection == Decimal("900.00")
