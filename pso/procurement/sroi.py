"""Social return (SROI, SPEC §4): obligation, reduction per rung, remaining obligation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from certificates.formatting import dutch_date
from pso.procurement.evaluation import Fact, Member, member_rung, pso30_holders
from pso.procurement.money import cents, percent_of

DEFAULT_RATE = Decimal(5)


@dataclass(frozen=True)
class SroiRequest:
    contract_value: Decimal
    kvk: str
    tender_date: date
    contract_end: date
    rate_pct: Decimal = DEFAULT_RATE
    cap: Decimal | None = None
    reductions: Mapping[str, Decimal] = field(default_factory=dict)
    certificate_number: str | None = None
    declared_rung: str | None = None


@dataclass
class SroiResult:
    obligation: Decimal
    capped: bool
    rung: str
    verified: bool
    reduction_pct: Decimal
    reduction: Decimal
    remaining_obligation: Decimal
    warnings: list[str]
    valid_until: date | None


def obligation_of(contract_value: Decimal, rate_pct: Decimal,
                  cap: Decimal | None) -> tuple[Decimal, bool]:
    """contract value × rate, half-up to cents, at most `cap`: (obligation, capped)."""
    obligation = percent_of(contract_value, rate_pct)
    if cap is not None and obligation > cap:
        return cents(cap), True
    return obligation, False


def reduction_for(obligation: Decimal, rung: str,
                  reductions: Mapping[str, Decimal]) -> tuple[Decimal, Decimal]:
    """The buyer's reduction for `rung` (none: 0): (percentage, amount)."""
    pct = reductions.get(rung, Decimal(0)) if rung != "none" else Decimal(0)
    return pct, percent_of(obligation, pct)


def expiry_warning(number: str, valid_until: date, contract_end: date) -> str:
    return (f"Certificaat {number} verloopt op {dutch_date(valid_until)}, vóór het einde "
            f"van het contract op {dutch_date(contract_end)}. De korting geldt alleen "
            "zolang er een geldig certificaat is; vraag tijdig om een vervolgcertificaat.")


def calculate(request: SroiRequest, facts: Mapping[str, Fact]) -> SroiResult:
    """`facts` holds the certificate (if any) with its status judged on the tender date."""
    obligation, capped = obligation_of(request.contract_value, request.rate_pct, request.cap)
    member = Member(request.kvk, request.certificate_number, request.declared_rung)
    result = member_rung(member, request.tender_date, facts, pso30_holders(facts.values()),
                         moment="de aanbestedingsdatum")
    warnings = list(result.notes) if (request.certificate_number or request.declared_rung) else []
    fact = facts.get(request.certificate_number or "")
    valid_until = fact.valid_until if fact is not None and result.rung != "none" else None
    if fact is not None and valid_until is not None and valid_until < request.contract_end:
        warnings.append(expiry_warning(fact.number, valid_until, request.contract_end))
    pct, reduction = reduction_for(obligation, result.rung, request.reductions)
    return SroiResult(
        obligation=obligation, capped=capped, rung=result.rung, verified=result.verified,
        reduction_pct=pct, reduction=reduction, remaining_obligation=obligation - reduction,
        warnings=warnings, valid_until=valid_until,
    )
