"""Figures as people read them, in Dutch notation: the one formatter of every shown number.

Rounded half-up from the exact Decimal (`2.675` → "2,68"), never from a float: the
explanation, the web pages, the PDFs and the mails all call these. A float reaching here is
a bug upstream (its binary value is not the figure), except through `exact()`, which takes
the engine's stored floats at their shortest repr (the value the engine's Decimal rounds to).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def exact(value: Any) -> Decimal:
    """A stored figure as a Decimal: floats by their shortest repr, not their binary value."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def rounded(value: Any, places: int = 2) -> Decimal:
    """Half-up to `places` decimals."""
    return exact(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}


def dutch_decimal(value: Decimal | int | str, places: int = 2) -> str:
    """Decimal comma and thousands dots: 1234.5 -> "1.234,50" (half-up rounding)."""
    if isinstance(value, float):
        # Money and percentages are decimal end to end; a float here is a bug upstream.
        raise TypeError("use Decimal, int or str, not float")
    quantum = _QUANTA.get(places)
    if quantum is None:
        amount = rounded(value, places)
    else:
        amount = exact(value).quantize(quantum, rounding=ROUND_HALF_UP)
    if quantum is not None and -1000 < amount < 1000:
        # No thousands to group: str() of a value quantized to at most 6 places is plain
        # notation, and half the cost of format() (the score's explanation makes 15 of these).
        text = str(abs(amount)).replace(".", ",")
    else:
        text = f"{abs(amount):,.{places}f}"  # "1,234.50"
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"-{text}" if amount < 0 else text


def short(value: Decimal | int | str, places: int = 2) -> str:
    """At most `places` decimals, trailing zeros dropped: 12.50 -> "12,5", 3 -> "3"."""
    text = dutch_decimal(value, places)
    return text.rstrip("0").rstrip(",") if "," in text else text


def percentage(value: Decimal | int | str, places: int = 1) -> str:
    """`Decimal("12.345")` -> "12,3 %" (places=1), "2.675" -> "2,68 %" (places=2)."""
    return f"{dutch_decimal(value, places)} %"


def plain(value: Any) -> str:
    """A number with all its digits, nothing rounded: "30.4" -> "30,4", 1234.5 -> "1.234,5"."""
    number = exact(value).normalize()
    return short(number, max(0, -exponent(number)))


def exponent(value: Decimal) -> int:
    """The exponent of a finite Decimal (NaN and infinity have a letter instead)."""
    result = value.as_tuple().exponent
    if isinstance(result, int):
        return result
    raise ValueError(f"not a finite number: {value}")


def weight(value: Any) -> str:
    """A weight with all its digits (0,1875, not 0,19), so FTE × weight is the weighted FTE
    printed beside it."""
    return plain(value)


def file_size(size: int) -> str:
    """A file's size as people read it: "812 bytes", "1,2 kB", "3,4 MB" (never "0 kB")."""
    if size < 1024:
        return f"{size} {'byte' if size == 1 else 'bytes'}"
    if size < 1024 * 1024:
        return f"{short(Decimal(size) / 1024, 1)} kB"
    return f"{short(Decimal(size) / (1024 * 1024), 1)} MB"
