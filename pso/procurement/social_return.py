"""Social-return rules that need no database: which terms go together, and what a pseudonym
may look like (the request models check a raw body with them, the services again)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class TermsInput:
    """What the buyer asks for; checked for shape by the API model, for sense here."""

    model_id: str
    settlement_rule: str
    contract_sum: Decimal | None = None  # None: the awarded price
    rate_pct: Decimal | None = None  # None with no fixed amount: the default 5 %
    cap: Decimal | None = None
    fixed_amount: Decimal | None = None
    reductions: dict[str, Decimal] = field(default_factory=dict)
    period_start: date | None = None  # None: the contract's own period
    period_end: date | None = None
    penalty_factor: Decimal | None = None
    buyout_pct: Decimal | None = None


def combination_errors(*, fixed: bool, rate: bool, cap: bool, rule: Any, factor: bool,
                       percentage: bool) -> list[dict[str, str]]:
    """Which fields go together: a rate (with a cap) or a fixed amount; a factor with a
    penalty, a percentage with a buyout. Takes only whether each field was given, so the API
    model can check a raw body with it and list these next to its own errors."""
    errors = []
    if fixed and (rate or cap):
        errors.append({"name": "fixedAmount", "reason": "Geef een percentage (met eventueel "
                       "een maximum) of een vast bedrag, niet beide."})
    if rule == "buyout" and factor:
        errors.append({"name": "settlement.factor", "reason": "Een factor hoort bij een "
                       "boete, niet bij een afkoopsom."})
    if rule == "buyout" and not percentage:
        errors.append({"name": "settlement.percentage", "reason": "Geef het percentage van de "
                       "afkoopsom."})
    if rule == "penalty" and percentage:
        errors.append({"name": "settlement.percentage", "reason": "Een percentage hoort bij "
                       "een afkoopsom, niet bij een boete."})
    return errors


# A pseudonym is a code the contractor keeps, never a name or a BSN: letters, digits and
# dashes with at least one digit, and never nine digits in a row (a BSN's length).
PSEUDONYM = re.compile(r"(?=.*[0-9])[A-Za-z0-9-]{1,20}")


PSEUDONYM_REASON = ("Een pseudoniem is een code met minstens één cijfer, bijvoorbeeld K-17; "
                    "nooit een naam of een BSN.")


PERSONAL = ("placement", "apprenticeship", "work_experience")


def pseudonym_ok(value: Any) -> bool:
    return isinstance(value, str) and PSEUDONYM.fullmatch(value) is not None \
        and re.search(r"[0-9]{9}", value) is None
