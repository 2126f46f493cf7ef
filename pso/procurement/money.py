"""Euro amounts as Decimal, rounded half-up to whole cents (never float)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    """Round half-up to two decimals: 12.345 -> 12.35, 12.344 -> 12.34."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, pct: Decimal) -> Decimal:
    """amount × pct / 100, rounded half-up to cents (scaleb: an exact, cheap division by 100)."""
    return cents((amount * pct).scaleb(-2))
