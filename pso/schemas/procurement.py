"""Request and response models of the procurement API (SPEC §4, §6.1).

Money is Decimal end to end: accepted as a string or a JSON number (a float via its
shortest text, so 0.1 stays 0.1), at most two decimals, and sent back as a string with
two decimals. Rules that span fields live in pso.schemas.procurement_rules.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer

from certificates.numbering import is_valid_number, normalize_number
from pso.procurement.evaluation import MAX_BIDS, Bid, Member, Policy
from pso.procurement.money import CENT
from pso.schemas.base import ApiInput, ApiModel, decimal_input
from pso.schemas.procurement_rules import AllErrors, bid_errors, one_source, policy_errors
from scoring.enums import RUNGS
from scoring.text import UNSAFE_REASON, unsafe_text

MAX_AMOUNT = 10**12  # a trillion euro: far above any public contract
MAX_MEMBERS = 50
RealRung = Literal["aspirant", "basistrede", "trede1", "trede2", "trede3"]
Rung = Literal["none", "aspirant", "basistrede", "trede1", "trede2", "trede3"]


_decimal_input = decimal_input


def _at_cents(value: Decimal) -> Decimal:
    """At most two decimals, then exactly two. (Cheaper than pydantic's decimal_places,
    which counts digits in Python: it showed up when timing 10,000 bids.)"""
    cents = value.quantize(CENT)
    if cents != value:
        raise ValueError("Hoogstens 2 decimalen.")
    return cents


def _text(value: str) -> str:
    if unsafe_text(value):
        raise ValueError(UNSAFE_REASON)
    return value


def _certificate_number(value: str) -> str:
    number = normalize_number(value)
    if not is_valid_number(number):
        raise ValueError("Een certificaatnummer ziet eruit als PSO-2026-000123.")
    return number


def _decimal(high: int, gt: bool = False) -> Any:
    bound = {"gt": 0} if gt else {"ge": 0}  # ints, so messages read "groter dan 0"
    return Annotated[Decimal, BeforeValidator(_decimal_input),
                     Field(le=high, allow_inf_nan=False, **bound),
                     AfterValidator(_at_cents)]


Price = _decimal(MAX_AMOUNT, gt=True)
PolicyValue = _decimal(MAX_AMOUNT)
Percentage = _decimal(100)
Factor = Annotated[Decimal, BeforeValidator(_decimal_input),
                   Field(ge=0, le=10, decimal_places=4, allow_inf_nan=False)]
Kvk = Annotated[str, Field(pattern=r"^[0-9]{8}$", description="KvK-nummer, 8 cijfers")]
CertificateNumber = Annotated[str, Field(max_length=40), AfterValidator(_certificate_number)]
Text = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_text)]
ShortText = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_text)]

# Out: always a string with exactly two decimals.
MoneyOut = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]
FactorOut = Annotated[Decimal, PlainSerializer(lambda d: f"{d.normalize():f}", return_type=str)]


# ---- requests ----

class PolicyValuesIn(ApiInput):
    """Per rung the advantage: a percentage of the price, or an amount in euro. Missing -> 0."""

    aspirant: PolicyValue | None = None
    basistrede: PolicyValue | None = None
    trede1: PolicyValue | None = None
    trede2: PolicyValue | None = None
    trede3: PolicyValue | None = None
    pso30plus: PolicyValue | None = Field(
        default=None, description="Waarde voor PSO 30+; de hoogste van trede en PSO 30+ telt"
    )


class PolicyIn(ApiInput):
    mode: Literal["percentage", "amount"] = Field(
        description="percentage van de inschrijfprijs, of een vast bedrag in euro"
    )
    values: PolicyValuesIn = Field(default_factory=PolicyValuesIn)
    # Defaults are JSON numbers like the documented type (a Decimal default would be
    # documented as the string "1.5"); validate_default makes them Decimals like any input.
    penalty_factor: Factor = Field(
        default=1.5, validate_default=True,
        description="Boete bij niet handhaven = voordeel × deze factor"
    )


class MemberIn(ApiInput):
    kvk: Kvk
    certificate_number: CertificateNumber | None = None
    declared_rung: RealRung | None = Field(
        default=None, description="Trede uit een ander register (niet geverifieerd)"
    )


class BidIn(ApiInput):
    bidder: Text = Field(description="Naam van de inschrijver (penvoerder bij een combinatie)")
    kvk: Kvk
    price: Price = Field(description='Inschrijfprijs in euro, bijvoorbeeld "125000.00"')
    certificate_number: CertificateNumber | None = None
    declared_rung: RealRung | None = Field(
        default=None, description="Trede uit een ander register (niet geverifieerd)"
    )
    consortium: list[MemberIn] | None = Field(
        default=None, min_length=1, max_length=MAX_MEMBERS,
        description="Alle leden van een combinatie, de penvoerder inbegrepen",
    )


class BidCreateIn(AllErrors, BidIn):
    """One bid on a stored tender."""

    @staticmethod
    def rule_errors(data: Any) -> list[dict[str, str]]:
        return [{**e, "name": e["name"].removeprefix("bids[0].")} for e in bid_errors([data])]


class EvaluationIn(AllErrors):
    deadline: date = Field(description="Sluitingsdatum: certificaten moeten dan geldig zijn")
    policy: PolicyIn
    bids: list[BidIn] = Field(min_length=1, max_length=MAX_BIDS)

    @staticmethod
    def rule_errors(data: Any) -> list[dict[str, str]]:
        return policy_errors(data.get("policy"), "policy") + bid_errors(data.get("bids"))


class SroiIn(AllErrors):
    contract_value: Price = Field(description="Opdrachtwaarde in euro")
    rate_pct: Percentage = Field(default=5, validate_default=True, description="SROI-percentage")
    cap: Price | None = Field(default=None, description="Maximale SROI-verplichting in euro")
    reductions: dict[RealRung, Percentage] = Field(
        default_factory=dict, description='Korting per trede in procenten, bv. {"trede2": 100}'
    )
    kvk: Kvk
    certificate_number: CertificateNumber | None = None
    declared_rung: RealRung | None = None
    tender_date: date = Field(description="Aanbestedingsdatum: het certificaat moet dan gelden")
    contract_end: date = Field(description="Einddatum van het contract")

    @staticmethod
    def rule_errors(data: Any) -> list[dict[str, str]]:
        errors = [{**e, "name": "declaredRung"} for e in one_source(data, "body")]
        reductions = data.get("reductions")
        for key in reductions if isinstance(reductions, dict) else ():
            if key not in RUNGS[1:]:
                errors.append({"name": f"reductions.{key}", "reason": "Onbekende trede; "
                               "kies uit " + ", ".join(RUNGS[1:]) + "."})
        start, end = data.get("tenderDate"), data.get("contractEnd")
        try:
            if date.fromisoformat(str(end)) < date.fromisoformat(str(start)):
                errors.append({"name": "contractEnd", "reason": "Het einde van het contract "
                               "mag niet vóór de aanbestedingsdatum liggen."})
        except ValueError:
            pass
        return errors


# ---- responses ----

class PolicyOut(ApiModel):
    mode: Literal["percentage", "amount"]
    values: dict[str, MoneyOut]
    penalty_factor: FactorOut


class RankedMemberOut(ApiModel):
    kvk: str
    certificate_number: str | None
    rung: Rung
    verified: bool
    pso30_plus: bool
    notes: list[str]


class RankedOut(ApiModel):
    position: int
    submission_order: int
    bidder: str
    kvk: str
    price: MoneyOut
    certificate_number: str | None
    rung: Rung
    pso30_plus: bool
    verified: bool = Field(description="false: de trede is opgegeven, niet in het register gezien")
    applied_from: str = Field(description="De beleidswaarde die telde: een trede, pso30plus of none")
    applied_value: MoneyOut
    advantage: MoneyOut
    fictitious_price: MoneyOut
    penalty_if_not_maintained: MoneyOut
    notes: list[str]
    members: list[RankedMemberOut] = Field(description="Per lid van een combinatie; anders leeg")


class EvaluationOut(ApiModel):
    deadline: date
    policy: PolicyOut
    provisional: bool = Field(description="true: de sluitingsdatum is nog niet voorbij")
    ranking: list[RankedOut]


class SroiOut(ApiModel):
    contract_value: MoneyOut
    rate_pct: MoneyOut
    cap: MoneyOut | None
    capped: bool
    obligation: MoneyOut
    rung: Rung
    verified: bool
    certificate_number: str | None
    valid_until: date | None
    reduction_pct: MoneyOut
    reduction: MoneyOut
    remaining_obligation: MoneyOut
    warnings: list[str]


def policy_from(data: PolicyIn) -> Policy:
    values = {k: v for k, v in data.values.model_dump(by_alias=False).items() if v is not None}
    return Policy(data.mode, values, data.penalty_factor)


def bid_from(data: BidIn) -> Bid:
    members = tuple(Member(m.kvk, m.certificate_number, m.declared_rung)
                    for m in data.consortium or ())
    return Bid(data.bidder, data.kvk, data.price, data.certificate_number, data.declared_rung,
               members)
