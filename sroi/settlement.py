"""Settlement figures (SPEC §8.2): what is short at the contract end and what it costs.

Pure, like the engine. The rule is the terms' own: a penalty of shortfall × factor, or a
buyout (*afkoopsom*) of a percentage of the shortfall; half-up to cents once.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Figures:
    remaining: Decimal  # the obligation after the PSO reduction
    realised: Decimal  # accepted lines only
    shortfall: Decimal
    penalty: Decimal


def figures(remaining: Decimal, realised: Decimal, rule: dict[str, str]) -> Figures:
    """`rule` as stored on the terms: {"rule": "penalty", "factor": "1.5"} or
    {"rule": "buyout", "percentage": "80.00"}. More than realised is no credit."""
    shortfall = max(remaining - realised, Decimal(0))
    if rule["rule"] == "buyout":
        amount = shortfall * Decimal(rule["percentage"]) / 100
    else:
        amount = shortfall * Decimal(rule.get("factor") or 1)
    return Figures(remaining, realised, shortfall, amount.quantize(CENT, ROUND_HALF_UP))
