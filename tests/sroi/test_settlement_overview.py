"""Settlement figures and overview cells, hand-computed (pure, no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sroi.engine import Activity, Placement, WorkExperience, anchored
from sroi.model import packaged_model
from sroi.overview import cells
from sroi.settlement import figures

D = Decimal
PERIOD = (date(2027, 1, 1), date(2028, 12, 31))


def test_penalty_is_shortfall_times_factor_half_up() -> None:
    found = figures(D("6250.00"), D("4931.51"), {"rule": "penalty", "factor": "1.5"})
    assert (found.shortfall, found.penalty) == (D("1318.49"), D("1977.74"))  # 1977.735
    assert figures(D("100.00"), D("0"), {"rule": "penalty"}).penalty == D("100.00")


def test_buyout_is_a_percentage_and_a_surplus_is_no_credit() -> None:
    assert figures(D("6250.00"), D("0.00"), {"rule": "buyout", "percentage": "80.00"}
                   ).penalty == D("5000.00")
    assert figures(D("0.05"), D("0.00"), {"rule": "buyout", "percentage": "50.00"}
                   ).penalty == D("0.03")  # 0.025 half up
    over = figures(D("6250.00"), D("7000.00"), {"rule": "penalty", "factor": "2"})
    assert (over.shortfall, over.penalty) == (D("0"), D("0.00"))


def test_cells_split_a_line_over_new_year_and_hide_fewer_than_five_people() -> None:
    model = packaged_model("oost-nederland-v05")
    lines = [(Placement("pw-kort", date(2027, 1, 1), date(2027, 3, 31), D(36), person=p),
              p, 0) for p in ("A1", "A2", "A3", "A4")]
    lines.append((Placement("pw-kort", date(2027, 12, 1), date(2028, 1, 31), D(18),
                            person="A5"), "A5", 0))
    lines.append((WorkExperience("werkervaring", date(2027, 1, 1), date(2027, 1, 30)),
                  "W1", 0))
    engine = anchored([line for line, _, _ in lines])
    grid = cells(model, [(e, p, y) for e, (_, p, y) in zip(engine, lines, strict=True)],
                 PERIOD)
    pw27, pw28 = grid[(2027, "pw-kort")], grid[(2028, "pw-kort")]
    # 4 × 30.000 × 90/365 (7.397,26) + 30.000 × 18/36 × 31/365 (1.273,97)
    assert (pw27.value, len(pw27.people), pw27.shown) == (D("30863.01"), 5, True)
    # hours: 4 × 36 × 90/7 (462,86) + 18 × 31/7 (79,71)
    assert pw27.hours == D("1931.15")
    assert (pw28.value, len(pw28.people), pw28.shown) == (D("1273.97"), 1, False)
    assert grid[(2027, "werkervaring")].shown is False  # one person


def test_an_activity_counts_in_the_year_given_and_is_about_no_one() -> None:
    model = packaged_model("utrecht-a")
    block = next(b.code for b in model.blocks.values() if b.kind == "activity")
    grid = cells(model, [(Activity(block, D(3)), None, 2028)], PERIOD)
    assert grid[(2028, block)].shown and grid[(2028, block)].hours == D(3)
