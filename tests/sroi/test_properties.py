"""Properties of the valuation engine (hypothesis): windows hold, hours scale, splits add up."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sroi.engine import Apprenticeship, Placement, value_line, value_lines, window
from sroi.model import packaged_model

OOST = packaged_model("oost-nederland-v05")
PLACEMENTS = [b.code for b in OOST.blocks.values() if b.kind == "placement"]
FULL = OOST.full_time_hours
CENT = Decimal("0.01")

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
hours = st.decimals(min_value=0, max_value=80, places=2)


def ordered(a: date, b: date) -> tuple[date, date]:
    return (a, b) if a <= b else (b, a)


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from(PLACEMENTS), a=days, b=days, anchor=days, h=hours,
       period=st.none() | st.tuples(days, days))
def test_a_line_never_counts_outside_its_window(code, a, b, anchor, h, period) -> None:
    start, end = ordered(a, b)
    anchor = min(anchor, start)
    period = ordered(*period) if period else None
    found = value_line(OOST, Placement(code, start, end, h, window_start=anchor), period)
    low, high = window(OOST.blocks[code], anchor, period)
    inside = max(0, (min(end, high) - max(start, low)).days + 1)
    assert found.days == inside
    if inside:
        assert max(start, low) == found.counted_from <= found.counted_until == min(end, high)
        assert found.counted_from >= anchor
        months = OOST.blocks[code].counts_for_months
        if months is not None:  # 24 months never reach 24 × 31 days
            assert (found.counted_until - anchor).days < months * 31
    else:
        assert found.amount == 0 and found.counted_from is None


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from(PLACEMENTS), a=days, b=days, h=hours)
def test_doubling_the_hours_doubles_the_value_up_to_full_time(code, a, b, h) -> None:
    start, end = ordered(a, b)
    once = value_line(OOST, Placement(code, start, end, h))
    twice = value_line(OOST, Placement(code, start, end, h * 2))
    if h * 2 <= FULL:
        assert twice.exact == 2 * once.exact
        assert abs(twice.amount - 2 * once.amount) <= CENT
    elif h >= FULL:
        assert twice == once
    else:  # crosses full time: more, but no more than double
        assert once.exact <= twice.exact <= 2 * once.exact


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from(PLACEMENTS), a=days, b=days, h=hours, cut=st.floats(0, 1),
       period=st.none() | st.tuples(days, days))
def test_splitting_a_period_in_two_gives_the_same_total(code, a, b, h, cut, period) -> None:
    start, end = ordered(a, b)
    if start == end:
        end += timedelta(days=1)
    period = ordered(*period) if period else None
    middle = start + timedelta(days=int(cut * ((end - start).days - 1)))
    whole = value_lines(OOST, [Placement(code, start, end, h, person="P")], period)
    halves = value_lines(OOST, [Placement(code, start, middle, h, person="P"),
                                Placement(code, middle + timedelta(days=1), end, h, person="P")],
                         period)
    assert sum(v.exact for v in halves) == whole[0].exact
    assert sum(v.days for v in halves) == whole[0].days
    assert abs(sum(v.amount for v in halves) - whole[0].amount) <= CENT


@settings(max_examples=200, deadline=None)
@given(a=days, b=days, c=days)
def test_splitting_an_apprenticeship_keeps_its_value(a, b, c) -> None:
    start, middle, end = sorted((a, b, c))
    if start == end:
        return
    middle = min(middle, end - timedelta(days=1))
    whole = value_line(OOST, Apprenticeship("bbl-1-2", start, end))
    halves = value_lines(OOST, [Apprenticeship("bbl-1-2", start, middle, person="L"),
                                Apprenticeship("bbl-1-2", middle + timedelta(days=1), end,
                                               person="L")])
    assert sum(v.exact for v in halves) == whole.exact
