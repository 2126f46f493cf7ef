"""The valuation engine, per kind, against values computed by hand (SPEC §8.1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sroi.engine import (
    Activity,
    Apprenticeship,
    Placement,
    Purchase,
    ValuationError,
    WorkExperience,
    total,
    value_line,
    value_lines,
)
from sroi.model import build, model_json, packaged_model

OOST = packaged_model("oost-nederland-v05")
UTRECHT = packaged_model("utrecht-a")
D = Decimal


def amount(line, model=OOST, period=None) -> Decimal:
    return value_line(model, line, period).amount


def test_placement_full_year_full_time() -> None:
    # 30.000 per year × 36/36 × 365/365
    assert amount(Placement("pw-kort", date(2025, 1, 1), date(2025, 12, 31), D(36))) == D("30000.00")


def test_placement_pro_rata_hours_and_days() -> None:
    # 30.000 × 24/36 × 31/365 = 620.000/365 = 1.698,630137 → 1.698,63
    line = Placement("pw-kort", date(2025, 3, 1), date(2025, 3, 31), D(24))
    assert amount(line) == D("1698.63")
    assert value_line(OOST, line).days == 31


def test_hours_above_full_time_count_as_full_time() -> None:
    line = Placement("pw-kort", date(2025, 1, 1), date(2025, 12, 31), D(40))
    assert amount(line) == D("30000.00")


def test_participatiewet_short_counts_two_years_from_the_start() -> None:
    # Started 1 January 2024; the window ends 31 December 2025. Of the line 1 July 2025 –
    # 30 June 2026 only 184 days count: 30.000 × 184/365 = 15.123,287671 → 15.123,29.
    line = Placement("pw-kort", date(2025, 7, 1), date(2026, 6, 30), D(36),
                     window_start=date(2024, 1, 1))
    found = value_line(OOST, line)
    assert (found.amount, found.counted_from, found.counted_until, found.days) == (
        D("15123.29"), date(2025, 7, 1), date(2025, 12, 31), 184)


def test_ww_counts_one_year_and_doelgroep_always() -> None:
    two_years = (date(2025, 1, 1), date(2026, 12, 31))
    assert amount(Placement("ww-kort", *two_years, D(36))) == D("10000.00")  # 365 days
    assert amount(Placement("doelgroep", *two_years, D(36))) == D("80000.00")  # 730 days


def test_a_line_after_its_window_counts_nothing() -> None:
    line = Placement("ww-lang", date(2026, 2, 1), date(2026, 3, 31), D(36),
                     window_start=date(2025, 1, 1))
    found = value_line(OOST, line)
    assert (found.amount, found.days, found.counted_from) == (D("0.00"), 0, None)


def test_contract_period_clips_the_line() -> None:
    # 40.000 × 181/365 = 19.835,616438 → 19.835,62 (1 January – 30 June 2025)
    line = Placement("doelgroep", date(2024, 7, 1), date(2025, 12, 31), D(36))
    assert amount(line, period=(date(2025, 1, 1), date(2025, 6, 30))) == D("19835.62")


def test_bonuses_stack() -> None:
    # (30.000 + 10.000 vast + 5.000 50+) × 32/36 × 181/365 = 7.240.000/365 = 19.835,616 → 19.835,62
    line = Placement("pw-kort", date(2025, 1, 1), date(2025, 6, 30), D(32),
                     bonuses=("vast", "50plus"))
    assert amount(line, UTRECHT) == D("19835.62")
    alone = Placement("pw-kort", date(2025, 1, 1), date(2025, 6, 30), D(32))
    assert amount(alone, UTRECHT) == D("13223.74")  # 30.000 × 32/36 × 181/365 = 13.223,744


def test_a_bonus_twice_or_of_another_kind_is_refused() -> None:
    twice = Placement("pw-kort", date(2025, 1, 1), date(2025, 6, 30), D(32),
                      bonuses=("vast", "vast"))
    with pytest.raises(ValuationError, match="één keer"):
        value_line(UTRECHT, twice)
    wrong = Placement("pw-kort", date(2025, 1, 1), date(2025, 6, 30), D(32), bonuses=("bbl",))
    with pytest.raises(ValuationError, match="BBL-traject"):
        value_line(UTRECHT, wrong)


def test_apprenticeship_per_learning_year() -> None:
    assert amount(Apprenticeship("bbl-1-2", date(2025, 9, 1), date(2026, 8, 31))) == D("20000.00")
    # 20.000 × 122/365 = 6.684,931507 → 6.684,93
    assert amount(Apprenticeship("bbl-1-2", date(2025, 9, 1), date(2025, 12, 31))) == D("6684.93")


def test_work_experience_per_month() -> None:
    # 750 × 12 × 90/365 = 810.000/365 = 2.219,178082 → 2.219,18; a full year is twelve months
    assert amount(WorkExperience("werkervaring", date(2025, 1, 1), date(2025, 3, 31))) == D("2219.18")
    assert amount(WorkExperience("werkervaring", date(2025, 1, 1), date(2025, 12, 31))) == D("9000.00")


def test_purchase_at_invoice_value_times_share() -> None:
    assert amount(Purchase("wsw-inzet", D("12345.67")), UTRECHT) == D("12345.67")
    raw = model_json(UTRECHT)
    raw["blocks"][7]["sharePct"] = "37.5"
    partly = build(raw)
    assert amount(Purchase("wsw-inzet", D("1000.01")), partly) == D("375.00")  # 375,00375
    raw["blocks"][7]["sharePct"] = "50"
    assert amount(Purchase("wsw-inzet", D("0.05")), build(raw)) == D("0.03")  # 0,025 half-up


def test_activity_per_hour() -> None:
    assert amount(Activity("maatschappelijk", D("7.5")), UTRECHT) == D("750.00")


def test_half_up_once_per_line() -> None:
    raw = model_json(OOST)
    raw["blocks"][2]["value"] = "1.825"  # 1,825/365 = 0,005 a day
    tiny = build(raw)
    one_day = Placement("doelgroep", date(2025, 1, 1), date(2025, 1, 1), D(36))
    assert amount(one_day, tiny) == D("0.01")
    assert total(value_lines(tiny, [one_day, one_day])) == D("0.02")


def test_lines_of_one_person_share_the_window() -> None:
    # Participatiewet < 2 jaar from 1 January 2024: 2024 (366 days) and 2025 count, 2026 not.
    lines = [Placement("pw-kort", date(2024, 1, 1), date(2024, 12, 31), D(36), person="K-17"),
             Placement("pw-kort", date(2025, 1, 1), date(2026, 6, 30), D(36), person="K-17"),
             Placement("pw-kort", date(2025, 1, 1), date(2025, 1, 31), D(36), person="K-18")]
    values = value_lines(OOST, lines)
    # 30.000 × 366/365 = 30.082,19; 30.000; 30.000 × 31/365 = 2.547,95
    assert [v.amount for v in values] == [D("30082.19"), D("30000.00"), D("2547.95")]
    assert values[1].counted_until == date(2025, 12, 31)


@pytest.mark.parametrize(("line", "words"), [
    (Placement("nope", date(2025, 1, 1), date(2025, 1, 2), D(1)), "staat niet in het model"),
    (Purchase("pw-kort", D(10)), "hoort niet bij dit soort regel"),
    (Placement("pw-kort", date(2025, 2, 1), date(2025, 1, 2), D(1)), "vóór de begindatum"),
    (Placement("pw-kort", date(2025, 1, 1), date(2025, 1, 2), D(-1)), "negatief"),
])
def test_lines_the_model_cannot_value(line, words) -> None:
    with pytest.raises(ValuationError, match=words) as caught:
        value_line(OOST, line)
    assert str(caught.value)[0].isupper() and str(caught.value).endswith(".")
