"""Dutch formatting of dates, money and numbers, shared by PDFs and web pages.

Numbers: `scoring.notation` (half-up from the exact Decimal), re-exported here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

# The one formatter of shown figures lives with the engine (scoring imports nothing).
from scoring.notation import dutch_decimal, percentage

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

RUNG_LABELS = {
    "none": "Geen trede",
    "aspirant": "Aspirant",
    "basistrede": "Basistrede",
    "trede1": "Trede 1",
    "trede2": "Trede 2",
    "trede3": "Trede 3",
}


def dutch_date(day: date) -> str:
    """`date(2026, 12, 31)` -> "31 december 2026" (no leading zero, lower-case month)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def euro(value: Decimal | int | str) -> str:
    """`Decimal("1234.56")` -> "€ 1.234,56"; negative -> "€ -1.234,56" (Dutch convention)."""
    return f"€ {dutch_decimal(value, 2)}"


def rung_label(rung: str) -> str:
    """Dutch label of a rung id, e.g. "trede1" -> "Trede 1"."""
    return RUNG_LABELS[rung]


def plural(count: int, one: str, many: str) -> str:
    """`plural(1, "leverancier", "leveranciers")` -> "1 leverancier"; 3 -> "3 leveranciers"."""
    return f"{count} {one if count == 1 else many}"


# For Jinja environments: env.filters.update(FILTERS)
FILTERS = {
    "plural": plural,
    "dutch_date": dutch_date,
    "dutch_decimal": dutch_decimal,
    "euro": euro,
    "percentage": percentage,
    "rung_label": rung_label,
}

# The pages and PDFs take every formatter from here, the engine's two included.
__all__ = [
    "FILTERS",
    "MONTHS",
    "RUNG_LABELS",
    "dutch_date",
    "dutch_decimal",
    "euro",
    "percentage",
    "plural",
    "rung_label",
]
