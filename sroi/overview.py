"""Overview figures (SPEC §8.2): per building block and calendar year the value, the people
placed and their hours, over accepted lines; and the small-cell rule for public figures.

Pure. A dated line is valued per calendar year with the engine (the year as its period, so
its window still runs from the person's first day), so a line across New Year counts in
both years; a purchase or activity counts in the year it is dated by the caller."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sroi.engine import Activity, Apprenticeship, Line, Placement, Purchase, value_line
from sroi.model import ValuationModel

MIN_PEOPLE = 5  # a public figure needs at least this many people behind it
CENT = Decimal("0.01")


@dataclass
class Cell:
    year: int
    block: str
    value: Decimal = Decimal("0.00")
    hours: Decimal = Decimal("0.00")
    people: set[str] = field(default_factory=set)
    personal: bool = False  # placements, apprenticeships, work experience: about people

    @property
    def shown(self) -> bool:
        """Whether the figures may be public: no people behind them, or at least five."""
        return not self.personal or len(self.people) >= MIN_PEOPLE


def cells(model: ValuationModel, lines: list[tuple[Line, str | None, int]],
          period: tuple[date, date], into: dict[tuple[int, str], Cell] | None = None,
          ) -> dict[tuple[int, str], Cell]:
    """`lines`: (anchored engine line, person key or None, year for an undated line).
    People are keys the caller makes unique across contracts."""
    out = {} if into is None else into
    for line, person, year in lines:
        if isinstance(line, (Purchase, Activity)):
            cell = out.setdefault((year, line.block), Cell(year, line.block))
            cell.value += value_line(model, line).amount
            if isinstance(line, Activity):
                cell.hours += line.hours
            continue
        for y in range(max(line.start, period[0]).year, min(line.end, period[1]).year + 1):
            span = (max(date(y, 1, 1), period[0]), min(date(y, 12, 31), period[1]))
            found = value_line(model, line, span)
            if not found.days:
                continue
            cell = out.setdefault((y, line.block), Cell(y, line.block))
            cell.personal = True
            cell.value += found.amount
            if person:
                cell.people.add(person)
            if isinstance(line, Placement):
                hours = line.hours_per_week * found.days / 7
                cell.hours += hours.quantize(CENT, ROUND_HALF_UP)
            elif isinstance(line, Apprenticeship):
                pass  # no hours are reported for an apprenticeship
    return out
