"""Dutch formatting of dates, money and numbers, shared by PDFs and web pages."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

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


def dutch_decimal(value: Decimal | int | str, places: int = 2) -> str:
    """Decimal comma and thousands dots: 1234.5 -> "1.234,50" (half-up rounding)."""
    if isinstance(value, float):
        # Money and percentages are decimal end to end; a float here is a bug upstream.
        raise TypeError("use Decimal, int or str, not float")
    amount = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(amount):,.{places}f}"  # "1,234.50"
    text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"-{text}" if amount < 0 else text


def euro(value: Decimal | int | str) -> str:
    """`Decimal("1234.56")` -> "€ 1.234,56"; negative -> "€ -1.234,56" (Dutch convention)."""
    return f"€ {dutch_decimal(value, 2)}"


def percentage(value: Decimal | int | str, places: int = 1) -> str:
    """`Decimal("12.345")` -> "12,3 %"."""
    return f"{dutch_decimal(value, places)} %"


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
