"""Request and response models of the procurement API (SPEC §4, §6.1).

Money is Decimal end to end: accepted as a string or a JSON number (a float via its
shortest text, so 0.1 stays 0.1), at most two decimals, and sent back as a string with
two decimals. Rules that span fields (duplicate bidders, percentages above 100 in
percentage mode, certificate number and declared rung together) are checked on the raw
body next to pydantic's own checks, so a 400 lists every field error at once.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationError,
    model_validator,
)

from certificates.numbering import is_valid_number, normalize_number
from pso.api.base import ApiInput, ApiModel, invalid_params
from pso.errors import InvalidInput
from pso.procurement.evaluation import MAX_BIDS, POLICY_KEYS, RUNGS
from pso.procurement.money import CENT

MAX_AMOUNT = 10**12  # a trillion euro: far above any public contract
MAX_MEMBERS = 50
RealRung = Literal["aspirant", "basistrede", "trede1", "trede2", "trede3"]
Rung = Literal["none", "aspirant", "basistrede", "trede1", "trede2", "trede3"]


def _decimal_input(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        # ValueError, not TypeError: pydantic reports only ValueError as a field error.
        message = 'geef een getal of tekst met een getal, bijvoorbeeld "1500.00"'
        raise ValueError(message)  # noqa: TRY004
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _at_cents(value: Decimal) -> Decimal:
    """At most two decimals, then exactly two. (Cheaper than pydantic's decimal_places,
    which counts digits in Python: it showed up when timing 10,000 bids.)"""
    cents = value.quantize(CENT)
    if cents != value:
        raise ValueError("Hoogstens 2 decimalen.")
    return cents


# Control characters, line/paragraph separators and bidi overrides (they can make a name
# read differently in the PDF than it is stored). A regex: 10,000 names must stay cheap.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028-\u202e]")


def _text(value: str) -> str:
    if CONTROL.search(value):
        raise ValueError("de tekst mag geen stuurtekens bevatten")
    return value


def _certificate_number(value: str) -> str:
    number = normalize_number(value)
    if not is_valid_number(number):
        raise ValueError("een certificaatnummer ziet eruit als PSO-2026-000123")
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


# ---- raw-body rules, reported together with pydantic's field errors ----

def _number(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return None
    try:
        value = Decimal(repr(raw) if isinstance(raw, float) else str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def policy_errors(policy: Any, prefix: str) -> list[dict[str, str]]:
    values = policy.get("values") if isinstance(policy, dict) else None
    if not isinstance(values, dict):
        return []
    percentage = policy.get("mode") == "percentage"
    errors = []
    for key, raw in values.items():
        name = f"{prefix}.values.{key}"
        if key not in POLICY_KEYS:
            errors.append({"name": name, "reason": "Onbekende trede; kies uit "
                           + ", ".join(POLICY_KEYS) + "."})
        elif percentage and (value := _number(raw)) is not None and value > 100:
            errors.append({"name": name, "reason": "Een percentage ligt tussen 0 en 100."})
    return errors


def _one_source(item: dict[str, Any], name: str) -> list[dict[str, str]]:
    if item.get("certificateNumber") is not None and item.get("declaredRung") is not None:
        return [{"name": f"{name}.declaredRung",
                 "reason": "Geef een certificaatnummer of een opgegeven trede, niet beide."}]
    return []


def _kvk(item: Any) -> str | None:
    value = item.get("kvk") if isinstance(item, dict) else None
    return value.strip() if isinstance(value, str) else None


def _bid_errors(bids: Any) -> list[dict[str, str]]:
    if not isinstance(bids, list) or len(bids) > MAX_BIDS:
        return []
    errors: list[dict[str, str]] = []
    first: dict[str, int] = {}
    for i, bid in enumerate(bids):
        if not isinstance(bid, dict):
            continue
        kvk = _kvk(bid)
        if kvk is not None:
            if kvk in first:
                errors.append({"name": f"bids[{i}].kvk", "reason": f"KvK-nummer {kvk[:8]} heeft "
                               f"al een inschrijving (bids[{first[kvk]}]): één per inschrijver."})
            else:
                first[kvk] = i
        if "declaredRung" in bid:
            errors += _one_source(bid, f"bids[{i}]")
        members = bid.get("consortium")
        if not isinstance(members, list):
            continue
        name = f"bids[{i}]"
        if bid.get("certificateNumber") is not None or bid.get("declaredRung") is not None:
            errors.append({"name": f"{name}.consortium", "reason": "Bij een combinatie staan "
                           "certificaatnummer of trede per lid in consortium, niet bij de bieding."})
        kvks = [_kvk(m) for m in members]
        if members and kvk is not None and kvk not in kvks:
            errors.append({"name": f"{name}.consortium", "reason": "De combinatie moet alle "
                           "leden bevatten, ook de penvoerder (het KvK-nummer van de bieding)."})
        seen: set[str] = set()
        for k, (member, member_kvk) in enumerate(zip(members, kvks)):
            if member_kvk is not None and member_kvk in seen:
                errors.append({"name": f"{name}.consortium[{k}].kvk",
                               "reason": "Dit lid staat al in de combinatie."})
            seen.add(member_kvk or "")
            if isinstance(member, dict):
                errors += _one_source(member, f"{name}.consortium[{k}]")
    return errors


class AllErrors(ApiInput):
    """Top-level request bodies: pydantic's field errors and the raw-body rules in one 400.

    Only for the outermost model: a nested one would raise before its siblings are checked."""

    @staticmethod
    def rule_errors(data: Any) -> list[dict[str, str]]:
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _all_errors(cls, data: Any, handler: Any) -> Any:
        extra = cls.rule_errors(data) if isinstance(data, dict) else []
        try:
            model = handler(data)
        except ValidationError as exc:
            if not extra:
                raise
            raise InvalidInput(_merge(invalid_params(exc), extra)) from None
        if extra:
            raise InvalidInput(extra)
        return model


def _merge(found: list[dict[str, str]], rules: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rules' wording wins where both name the same field (it says more)."""
    names = {p["name"] for p in rules}
    found = [{**p, "name": p["name"].removesuffix(".[key]")} for p in found]
    return [p for p in found if p["name"] not in names] + rules


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
    penalty_factor: Factor = Field(
        default=Decimal("1.5"), description="Boete bij niet handhaven = voordeel × deze factor"
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
        return [{**e, "name": e["name"].removeprefix("bids[0].")} for e in _bid_errors([data])]


class EvaluationIn(AllErrors):
    deadline: date = Field(description="Sluitingsdatum: certificaten moeten dan geldig zijn")
    policy: PolicyIn
    bids: list[BidIn] = Field(min_length=1, max_length=MAX_BIDS)

    @staticmethod
    def rule_errors(data: Any) -> list[dict[str, str]]:
        return policy_errors(data.get("policy"), "policy") + _bid_errors(data.get("bids"))


class SroiIn(AllErrors):
    contract_value: Price = Field(description="Opdrachtwaarde in euro")
    rate_pct: Percentage = Field(default=Decimal("5.00"), description="SROI-percentage")
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
        errors = [{**e, "name": "declaredRung"} for e in _one_source(data, "body")]
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


class MemberOut(ApiModel):
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
    members: list[MemberOut] = Field(description="Per lid van een combinatie; anders leeg")


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
