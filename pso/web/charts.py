"""Geometry of the two SVG charts; the templates draw them (web/_charts.html).

Only numbers and fixed labels come out of here, so the markup needs no inline styles
(the CSP forbids them): colours are SVG presentation attributes or CSS classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from certificates.formatting import RUNG_LABELS, dutch_decimal, plural
from scoring.notation import exact


def _dutch(value: float, places: int = 2) -> str:
    return dutch_decimal(exact(value), places)


def _nice_ceiling(value: float) -> tuple[float, float]:
    """A round axis maximum above `value` and its tick step (1, 2 or 5 times a power of 10)."""
    value = max(value, 1.0)
    rough = value / 4
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return step * math.ceil(value / step), step


@dataclass
class Column:
    rung: str
    label: str
    threshold: str
    x: float
    y: float
    width: float
    height: float
    state: str  # "reached", "current" or "open"


@dataclass
class LadderChart:
    width: int
    height: int
    left: float
    right: float
    base: float
    columns: list[Column]
    ticks: list[tuple[float, str]]
    score_y: float
    score_text: str
    label: tuple[float, float, str]  # x, y, text-anchor of the score text
    summary: str


def ladder_chart(result: dict) -> LadderChart:
    """Each rung a step as high as its threshold; the organisation's score a line across."""
    thresholds: dict[str, float] = result["thresholds"]
    total = float(result["totalPct"])
    quantitative = result["quantitativeRung"]
    width, height, left, right, top, base = 460, 300, 44, 452, 34, 256
    axis_max, step = _nice_ceiling(max([total, *thresholds.values()]) * 1.12)

    def y(pct: float) -> float:
        return round(base - (base - top) * min(pct, axis_max) / axis_max, 1)

    slot = (right - left) / len(thresholds)
    columns = []
    # Reached is what the engine decided (one tolerance, scoring.rulebook.reaches), not a
    # second comparison of rounded floats here.
    order = list(thresholds)
    top_reached = order.index(quantitative) if quantitative in order else -1
    for i, (rung, pct) in enumerate(thresholds.items()):
        reached = result["eligible"] and i <= top_reached
        state = "current" if rung == quantitative else ("reached" if reached else "open")
        top_y = y(pct)
        columns.append(Column(rung, RUNG_LABELS[rung], f"{_dutch(pct)} %",
                              round(left + i * slot + slot * 0.12, 1), top_y,
                              round(slot * 0.76, 1), round(base - top_y, 1), state))
    ticks = [(y(v * step), _dutch(v * step, 0 if step >= 1 else 1))
             for v in range(round(axis_max / step) + 1)]
    score_text = f"Uw score: {_dutch(total)} %"
    score_y = y(total)
    # The label sits above the line (below it when the line runs along the top), over the
    # first or the last step, whichever top is further from the line.
    label_y = score_y - 9 if score_y - 24 >= 0 else score_y + 20
    at_left = abs(columns[0].y - score_y) >= abs(columns[-1].y - score_y)
    label = (left + 6, label_y, "start") if at_left else (right - 6, label_y, "end")
    norms = "; ".join(f"{c.label} vanaf {c.threshold}" for c in columns)
    summary = f"{score_text}. Normen: {norms}."
    return LadderChart(width, height, left, right, base, columns, ticks, score_y, score_text,
                       label, summary)


@dataclass
class Segment:
    key: str
    label: str
    amount: Decimal
    x: float
    width: float


@dataclass
class BudgetChart:
    width: int
    segments: list[Segment]
    summary: str


def budget_chart(budget: Decimal, committed: Decimal, redeemed: Decimal,
                 available: Decimal) -> BudgetChart:
    """One bar, the whole budget: paid out, reserved by open vouchers, still available."""
    parts = [("redeemed", "Uitbetaald", redeemed),
             ("reserved", "Gereserveerd (open vouchers)", committed - redeemed),
             ("available", "Beschikbaar", available)]
    width, x = 600.0, 0.0
    segments = []
    for key, label, amount in parts:
        share = float(amount / budget) if budget > 0 else 0.0
        w = round(width * max(share, 0.0), 1)
        segments.append(Segment(key, label, amount, round(x, 1), w))
        x += w
    summary = "; ".join(f"{s.label} € {dutch_decimal(s.amount)}" for s in segments)
    return BudgetChart(int(width), segments, f"Budget € {dutch_decimal(budget)}: {summary}.")


@dataclass
class MonthBar:
    label: str  # "jan 2026"
    shown: bool  # its label on the axis (with many months, every few, ending at the latest)
    count: int
    amount: Decimal
    x: float
    y: float
    width: float
    height: float


@dataclass
class UptakeChart:
    width: int
    height: int
    base: float
    bars: list[MonthBar]
    ticks: list[tuple[float, str]]
    summary: str


AXIS_LABELS = 6
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def uptake_chart(months: list[tuple[int, int, int, Decimal]]) -> UptakeChart:
    """Vouchers issued per month, as columns: (year, month, count, amount) in order."""
    width, height, left, top, base = 600, 220, 40.0, 16.0, 180.0
    highest = max((m[2] for m in months), default=0)
    ceiling = max(1, highest)
    step = max(1, -(-ceiling // 4))
    ceiling = step * 4
    slot = (width - left - 10) / max(1, len(months))
    every = -(-len(months) // AXIS_LABELS)  # a label is ~60 units wide: at most 6 fit
    bars = []
    for i, (year, month, count, amount) in enumerate(months):
        h = (base - top) * count / ceiling
        shown = (len(months) - 1 - i) % every == 0
        bars.append(MonthBar(f"{MONTHS[month - 1]} {year}", shown, count, amount,
                             round(left + i * slot + slot * 0.15, 1), round(base - h, 1),
                             round(slot * 0.7, 1), round(h, 1)))
    ticks = [(round(base - (base - top) * k / 4, 1), str(step * k)) for k in range(5)]
    summary = "; ".join(f"{b.label}: {plural(b.count, 'voucher', 'vouchers')}, "
                        f"€ {dutch_decimal(b.amount)}"
                        for b in bars) or "Nog geen vouchers uitgegeven."
    return UptakeChart(width, height, base, bars, ticks, f"Uitgegeven vouchers per maand: {summary}.")


@dataclass
class QuarterBar:
    label: str  # "2025 K1"
    amount: Decimal  # accepted in the quarter
    cumulative: Decimal
    x: float
    y: float
    width: float
    height: float
    future: bool  # the quarter has not ended yet: drawn lighter


@dataclass
class ProgressChart:
    width: int
    height: int
    base: float
    target_y: float
    bars: list[QuarterBar]
    ticks: list[tuple[float, str]]
    summary: str


def progress_chart(p: Any, today: date) -> ProgressChart:
    """Social return: the accepted value so far at the end of each quarter (`sroi.progress`
    quarters, cumulative) as columns, the obligation a line across."""
    width, height, left, top, base = 600, 220, 64.0, 16.0, 180.0
    quarters = list(p.quarters)
    ceiling, step = _nice_ceiling(float(max([p.target, p.realised] +
                                            [q.cumulative for q in quarters])))
    slot = (width - left - 10) / max(1, len(quarters))
    every = -(-len(quarters) // AXIS_LABELS)
    bars: list[QuarterBar] = []
    for q in quarters:
        h = (base - top) * float(q.cumulative) / ceiling
        i = len(bars)
        bars.append(QuarterBar(q.label if (len(quarters) - 1 - i) % every == 0 else "",
                               q.amount, q.cumulative, round(left + i * slot + slot * 0.15, 1),
                               round(base - h, 1), round(slot * 0.7, 1), round(h, 1),
                               q.start > today))
    ticks = [(round(base - (base - top) * k * step / ceiling, 1), _dutch(k * step, 0))
             for k in range(round(ceiling / step) + 1)]
    target_y = round(base - (base - top) * float(p.target) / ceiling, 1)
    summary = "; ".join(f"{q.label}: € {dutch_decimal(q.amount)} geaccepteerd, "
                        f"totaal € {dutch_decimal(q.cumulative)}"
                        for q in quarters if q.start <= today) or "Nog niets geaccepteerd"
    return ProgressChart(width, height, base, target_y, bars, ticks,
                         f"Te realiseren € {dutch_decimal(p.target)}. {summary}.")
