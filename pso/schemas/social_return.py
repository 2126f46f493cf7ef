"""Request models of social return: a contract's terms, realisation lines, review, settlement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
)
from pydantic.alias_generators import to_camel

from pso.procurement.evaluation import RUNGS
from pso.procurement.social_return import (
    PERSONAL,
    PSEUDONYM_REASON,
    TermsInput,
    combination_errors,
    pseudonym_ok,
)
from pso.schemas.base import ApiInput, decimal_input
from pso.schemas.procurement import (
    Factor,
    Kvk,
    Percentage,
    Price,
    RealRung,
    ShortText,
    Text,
    _at_cents,
    _text,
)
from pso.schemas.procurement_rules import AllErrors


class SettlementIn(ApiInput):
    rule: Literal["penalty", "buyout"] = Field(
        description="penalty: boete = tekort × factor; buyout: afkoopsom = tekort × percentage")
    factor: Factor | None = Field(default=None, description="Bij penalty; standaard 1")
    percentage: Percentage | None = Field(default=None, description="Bij buyout")


class SocialReturnIn(AllErrors):
    contract_sum: Price | None = Field(default=None, description="Contractsom in euro; "
                                       "standaard de gegunde prijs")
    rate_pct: Percentage | None = Field(default=None, description="SROI-percentage van de "
                                        "contractsom; standaard 5 als er geen vast bedrag is")
    cap: Price | None = Field(default=None, description="Maximale verplichting in euro (bij "
                              "een percentage)")
    fixed_amount: Price | None = Field(default=None, description="Een vaste verplichting in "
                                       "euro, in plaats van een percentage")
    reductions: dict[RealRung, Percentage] = Field(
        default_factory=dict, description='PSO-korting per trede in procenten, bv. '
        '{"trede2": 100}; de trede waarop is gegund telt')
    model_id: ShortText = Field(description="Id van het waarderingsmodel, zie /sroi-models")
    period_start: date | None = Field(default=None, description="Eerste dag; standaard het "
                                      "begin van het contract")
    period_end: date | None = Field(default=None, description="Laatste dag; standaard het "
                                    "einde van het contract")
    settlement: SettlementIn = Field(description="Afrekenregel bij een tekort")

    @staticmethod
    def rule_errors(data: Any) -> list[dict[str, str]]:
        errors = []
        reductions = data.get("reductions")
        for key in reductions if isinstance(reductions, dict) else ():
            if key not in RUNGS[1:]:
                errors.append({"name": f"reductions.{key}", "reason": "Onbekende trede; "
                               "kies uit " + ", ".join(RUNGS[1:]) + "."})
        try:
            if date.fromisoformat(str(data.get("periodEnd"))) < \
                    date.fromisoformat(str(data.get("periodStart"))):
                errors.append({"name": "periodEnd", "reason": "Het einde van de periode ligt "
                               "vóór het begin."})
        except ValueError:
            pass
        settlement = data.get("settlement")
        settlement = settlement if isinstance(settlement, dict) else {}
        given = lambda where, key: where.get(key) is not None
        return errors + combination_errors(
            fixed=given(data, "fixedAmount"), rate=given(data, "ratePct"),
            cap=given(data, "cap"), rule=settlement.get("rule"),
            factor=given(settlement, "factor"), percentage=given(settlement, "percentage"))

    def terms(self) -> TermsInput:
        return TermsInput(
            model_id=self.model_id, settlement_rule=self.settlement.rule,
            contract_sum=self.contract_sum, rate_pct=self.rate_pct, cap=self.cap,
            fixed_amount=self.fixed_amount,
            reductions={str(rung): pct for rung, pct in self.reductions.items()},
            period_start=self.period_start, period_end=self.period_end,
            penalty_factor=self.settlement.factor, buyout_pct=self.settlement.percentage)


LineKind = Literal["placement", "apprenticeship", "work_experience", "purchase", "activity"]


Hours = Annotated[Decimal, BeforeValidator(decimal_input),
                  Field(ge=0, le=100_000, allow_inf_nan=False), AfterValidator(_at_cents)]


WeekHours = Annotated[Decimal, BeforeValidator(decimal_input),
                      Field(ge=0, le=80, allow_inf_nan=False), AfterValidator(_at_cents)]


Code = Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_text)]


REQUIRED = {
    "placement": ("pseudonym", "start", "end", "hoursPerWeek"),
    "apprenticeship": ("pseudonym", "start", "end"),
    "work_experience": ("pseudonym", "start", "end"),
    "purchase": ("supplierName", "invoiceNumber", "invoiceDate", "amount"),
    "activity": ("description", "hours"),
}


OPTIONAL = {"placement": ("bonuses",), "purchase": ("supplierKvk",)}


class LineIn(AllErrors):
    kind: LineKind = Field(description="placement, apprenticeship, work_experience, purchase "
                           "of activity")
    block: Code = Field(description="Code van het bouwblok in het afgesproken model")
    pseudonym: Annotated[str, Field(max_length=20), AfterValidator(_text)] | None = Field(
        default=None, description="Een eigen code voor de persoon, nooit een naam of BSN")
    start: date | None = None
    end: date | None = None
    hours_per_week: WeekHours | None = None
    bonuses: list[Code] | None = Field(default=None, max_length=10,
                                       description="Codes van bonussen bij een plaatsing")
    hours: Hours | None = Field(default=None, description="Bij een activiteit")
    description: Text | None = None
    supplier_name: Text | None = None
    supplier_kvk: Kvk | None = None
    invoice_number: Annotated[str, Field(min_length=1, max_length=60),
                              AfterValidator(_text)] | None = None
    invoice_date: date | None = None
    amount: Price | None = Field(default=None, description="Factuurbedrag exclusief btw")

    @staticmethod
    def rule_errors(data: Any) -> list[dict[str, str]]:
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in REQUIRED:
            return []
        errors = [{"name": f, "reason": "Verplicht bij dit soort regel."}
                  for f in REQUIRED[kind] if data.get(f) in (None, "")]
        if kind in PERSONAL and data.get("pseudonym") not in (None, "") \
                and not pseudonym_ok(data["pseudonym"]):
            errors.append({"name": "pseudonym", "reason": PSEUDONYM_REASON})
        allowed = {"kind", "block", *REQUIRED[kind], *OPTIONAL.get(kind, ())}
        errors += [{"name": f, "reason": "Hoort niet bij dit soort regel."}
                   for f in data if f not in allowed and f in LINE_FIELDS
                   and data[f] is not None]
        try:
            if date.fromisoformat(str(data.get("end"))) < date.fromisoformat(
                    str(data.get("start"))):
                errors.append({"name": "end", "reason": "De einddatum ligt vóór de "
                               "begindatum."})
        except ValueError:
            pass
        return errors


LINE_FIELDS = {to_camel(f) for f in LineIn.model_fields}


class ReviewIn(AllErrors):
    decision: Literal["accepted", "rejected"]
    reason: Annotated[str, Field(min_length=1, max_length=500),
                      AfterValidator(_text)] | None = Field(
        default=None, description="Verplicht bij een afwijzing")


class SettleIn(AllErrors):
    early: bool = Field(default=False, description="true: afrekenen vóór het einde van het "
                        "contract (dan is een reden verplicht)")
    reason: Annotated[str, Field(max_length=500), AfterValidator(_text)] | None = Field(
        default=None, description="Waarom eerder wordt afgerekend")

    @staticmethod
    def rule_errors(data: Any) -> list[dict[str, str]]:
        if data.get("early") is True and not str(data.get("reason") or "").strip():
            return [{"name": "reason", "reason": "Geef een reden om vóór het einde van het "
                     "contract af te rekenen."}]
        return []
