"""Progress of a social-return contract (SPEC §8.2, issue 28 item 5): pure, like the engine.

`progress(target, realised, period, today)` compares the accepted value with the obligation
and the days elapsed with the period, projects the pace to the end and spreads the value over
the calendar quarters of the period (for the chart). The caller passes only accepted values;
each `Realised` spreads its amount evenly over its days (a purchase or an activity is one day).

- elapsed: days of the period up to and including `today`, inclusively counted;
- on track: realised ÷ target ≥ elapsed ÷ period days (or the target is met);
- projection: the value falling up to today × period days ÷ elapsed days (the pace so far;
  a line accepted for days still to come does not speed it up), never below the realised
  value; the realised value itself once the period is over, None before it starts;
- quarters: the cumulative value rounded half-up to cents at each quarter's end, each quarter
  the difference, so the quarters add up to the total exactly.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from sroi.engine import cents


@dataclass(frozen=True, slots=True)
class Realised:
    amount: Decimal
    first: date  # the value is spread evenly over first..last (inclusive)
    last: date


@dataclass(frozen=True, slots=True)
class Quarter:
    label: str  # "2025 K1"
    start: date
    end: date  # clipped to the period
    amount: Decimal
    cumulative: Decimal


@dataclass(frozen=True, slots=True)
class Progress:
    target: Decimal
    realised: Decimal
    period_days: int
    elapsed_days: int
    realised_pct: Decimal  # of the target, one decimal; 100.0 when the target is nil
    elapsed_pct: Decimal  # of the period, one decimal
    on_track: bool
    projection: Decimal | None  # at the end of the period, at the pace so far
    shortfall: Decimal  # target minus projection (or realised), never below nil
    quarters: tuple[Quarter, ...]

    @property
    def status(self) -> str:
        """Dutch: "behaald", "op schema" or "achter"."""
        if self.realised >= self.target:
            return "behaald"
        return "op schema" if self.on_track else "achter"


def _pct(part: Fraction) -> Decimal:
    """A share as a percentage with one decimal, half-up."""
    tenths = part * 1000
    return Decimal(int(tenths + Fraction(1, 2))) / 10


def quarters_of(period: tuple[date, date]) -> list[tuple[str, date, date]]:
    start, end = period
    out = []
    day = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    while day <= end:
        nxt = date(day.year + (day.month == 10), (day.month + 2) % 12 + 1, 1)
        out.append((f"{day.year} K{(day.month - 1) // 3 + 1}", max(day, start),
                    min(nxt - timedelta(days=1), end)))
        day = nxt
    return out


def _share_until(item: Realised, day: date) -> Fraction:
    """The part of `item`'s amount that falls on or before `day`."""
    if day < item.first:
        return Fraction(0)
    days = (item.last - item.first).days + 1
    counted = min((day - item.first).days + 1, days)
    return Fraction(item.amount) * counted / days


def progress(target: Decimal, realised: Iterable[Realised], period: tuple[date, date],
             today: date) -> Progress:
    """Where a contract stands on `today` (see the module text)."""
    items = list(realised)
    for item in items:
        if item.last < item.first:
            raise ValueError("A realised value ends before it starts.")
    start, end = period
    period_days = (end - start).days + 1
    elapsed = min(max((today - start).days + 1, 0), period_days)
    total = sum((i.amount for i in items), Decimal("0.00"))
    met = total >= target
    share = Fraction(total) / Fraction(target) if target > 0 else Fraction(1)
    on_track = met or share >= Fraction(elapsed, period_days)
    if elapsed == 0:
        projection = None
    elif elapsed == period_days:
        projection = total
    else:  # the pace of what falls up to today; never below what is accepted already
        so_far = sum((_share_until(i, today) for i in items), Fraction(0))
        projection = max(total, cents(so_far * period_days / elapsed))
    shortfall = max(target - (total if projection is None else projection), Decimal("0.00"))
    quarters, before = [], Decimal("0.00")
    for label, q_start, q_end in quarters_of(period):
        cumulative = cents(sum((_share_until(i, q_end) for i in items), Fraction(0)))
        quarters.append(Quarter(label, q_start, q_end, cumulative - before, cumulative))
        before = cumulative
    if quarters and before != total:  # values outside the period land in the last quarter
        last = quarters[-1]
        quarters[-1] = Quarter(last.label, last.start, last.end,
                               last.amount + total - before, total)
    return Progress(target, total, period_days, elapsed, _pct(share),
                    _pct(Fraction(elapsed, period_days)), on_track, projection, shortfall,
                    tuple(quarters))
