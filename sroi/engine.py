"""The valuation engine (SPEC §8.1): what one realisation line is worth under a model.

Pure: the caller passes the model and the lines. Every value is computed exactly (as a
Fraction) and rounded half-up to cents once per line, so no float ever touches money and
splitting a period in two changes the total by at most a cent per extra line.

- placement: value per year × hours ÷ fullTimeHours (hours capped at full time) × days ÷ 365,
  plus every bonus on it the same way (bonuses stack), for the days inside its window;
- apprenticeship: value per learning year × days ÷ 365, inside its window;
- work_experience: value per month × 12 × days ÷ 365 (a year of 365 days is twelve months);
- purchase: invoice value excl. VAT × share ÷ 100;
- activity: value per hour × hours.

A window runs from the day the person started in the block (`window_start`, else the line's
start) for `countsForMonths` calendar months; it is also clipped to the contract period when
one is given. Days count inclusively: 1 January to 31 December is 365 days.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sroi.model import Block, ValuationModel

CENT = Decimal("0.01")
YEAR_DAYS = 365


class ValuationError(ValueError):
    """A line that the model cannot value (Dutch reason, for a 400 or a form error)."""


@dataclass(frozen=True, slots=True)
class Placement:
    block: str
    start: date
    end: date
    hours_per_week: Decimal
    bonuses: tuple[str, ...] = ()
    person: str | None = None  # pseudonym; lines of one person and block share a window
    window_start: date | None = None  # first day in the block; None: this line's start


@dataclass(frozen=True, slots=True)
class Apprenticeship:
    block: str
    start: date
    end: date
    person: str | None = None
    window_start: date | None = None


@dataclass(frozen=True, slots=True)
class WorkExperience:
    block: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Purchase:
    block: str
    amount: Decimal  # invoice value excl. VAT


@dataclass(frozen=True, slots=True)
class Activity:
    block: str
    hours: Decimal


Line = Placement | Apprenticeship | WorkExperience | Purchase | Activity
KIND_OF = {Placement: "placement", Apprenticeship: "apprenticeship",
           WorkExperience: "work_experience", Purchase: "purchase", Activity: "activity"}


@dataclass(frozen=True, slots=True)
class LineValue:
    amount: Decimal  # euro, half-up to cents
    exact: Fraction
    counted_from: date | None = None  # the days that counted (None: not a dated kind)
    counted_until: date | None = None
    days: int = 0
    bonuses: tuple[str, ...] = field(default=())


def cents(value: Fraction) -> Decimal:
    """Half-up to cents, exactly: the Fraction is divided once, at 28 digits, far finer than
    the distance of any fraction of these sizes from a half cent."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        CENT, rounding=ROUND_HALF_UP)


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 January + 1 → 28/29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if year > 9999:
        return date.max
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def window(block: Block, start: date, period: tuple[date, date] | None) -> tuple[date, date]:
    """The days a line of `block` may count: from `start` for `countsForMonths` months (the
    day before the same day that many months on), within the contract period."""
    low, high = start, date.max
    if block.counts_for_months is not None:
        end = add_months(start, block.counts_for_months)
        high = end - timedelta(days=1) if end != date.max else end
    if period is not None:
        low, high = max(low, period[0]), min(high, period[1])
    return low, high


def _block(model: ValuationModel, code: str, kind: str) -> Block:
    block = model.block(code)
    if block is None:
        raise ValuationError(f"Bouwblok '{code}' staat niet in het model {model.name}.")
    if block.kind != kind:
        raise ValuationError(f"Bouwblok '{block.label}' hoort niet bij dit soort regel.")
    return block


def _days(line: Placement | Apprenticeship | WorkExperience, block: Block,
          period: tuple[date, date] | None) -> tuple[date, date, int]:
    if line.end < line.start:
        raise ValuationError("De einddatum ligt vóór de begindatum.")
    anchor = getattr(line, "window_start", None) or line.start
    low, high = window(block, min(anchor, line.start), period)
    first, last = max(line.start, low), min(line.end, high)
    return first, last, max(0, (last - first).days + 1)


def value_line(model: ValuationModel, line: Line,
               period: tuple[date, date] | None = None) -> LineValue:
    """The value of one line under `model`, counted only inside its window and `period`."""
    kind = KIND_OF[type(line)]
    block = _block(model, line.block, kind)
    if isinstance(line, Purchase):
        if line.amount < 0:
            raise ValuationError("Het factuurbedrag mag niet negatief zijn.")
        exact = Fraction(line.amount) * Fraction(block.value) / 100
        return LineValue(cents(exact), exact)
    if isinstance(line, Activity):
        if line.hours < 0:
            raise ValuationError("Het aantal uren mag niet negatief zijn.")
        exact = Fraction(block.value) * Fraction(line.hours)
        return LineValue(cents(exact), exact)
    first, last, days = _days(line, block, period)
    per_year = Fraction(block.value)
    bonuses: tuple[str, ...] = ()
    if isinstance(line, WorkExperience):
        per_year *= 12
    if isinstance(line, Placement):
        if line.hours_per_week < 0:
            raise ValuationError("Het aantal uren per week mag niet negatief zijn.")
        if len(set(line.bonuses)) != len(line.bonuses):
            raise ValuationError("Een bonus telt één keer per plaatsing.")
        bonuses = line.bonuses
        per_year += sum((Fraction(_block(model, b, "bonus").value) for b in bonuses),
                        Fraction(0))
        full = Fraction(model.full_time_hours)
        per_year *= min(Fraction(line.hours_per_week), full) / full
    exact = per_year * days / YEAR_DAYS
    if not days:
        return LineValue(cents(exact), exact, None, None, days, bonuses)
    return LineValue(cents(exact), exact, first, last, days, bonuses)


def anchored(lines: Iterable[Line]) -> list[Line]:
    """Each placement or apprenticeship with a `person` gets the earliest start of that person
    in that block as its window start: the window is the person's, not the line's, so
    reporting a year in four quarterly lines counts the same days as one line."""
    lines = list(lines)
    first: dict[tuple[str, str], date] = {}
    for line in lines:
        if isinstance(line, (Placement, Apprenticeship)) and line.person:
            key = (line.person, line.block)
            start = min(line.window_start or line.start, line.start)
            first[key] = min(first.get(key, start), start)
    return [replace(line, window_start=first[(line.person, line.block)])
            if isinstance(line, (Placement, Apprenticeship)) and line.person else line
            for line in lines]


def value_lines(model: ValuationModel, lines: Sequence[Line],
                period: tuple[date, date] | None = None) -> list[LineValue]:
    """Every line valued, in order, with the persons' windows anchored (see `anchored`)."""
    return [value_line(model, line, period) for line in anchored(lines)]


def total(values: Iterable[LineValue]) -> Decimal:
    """The sum of the rounded lines: what a statement of lines adds up to."""
    return sum((v.amount for v in values), Decimal("0.00"))
