"""Input model of one workforce submission (spec §2.1).

Build it with `parse_submission()` (scoring/parse.py), which reports every violation at
once. Field checks live here as validators so the model and the OpenAPI schema agree.
Numbers become Decimal: decimal strings or JSON numbers, never float arithmetic.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator
from pydantic.alias_generators import to_camel
from pydantic.functional_validators import PlainValidator
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError
from stdnum.nl import bsn

from .enums import ContractType, StartingPosition, SupplierKind, TargetRung
from .text import (
    DECIMAL_PATTERN,
    NUMBER_REASON,
    UNSAFE_REASON,
    dutch_number,
    is_decimal_text,
    unsafe_text,
)

MAX_EMPLOYEES = 10_000
MAX_PURCHASES = 1_000
MIN_YEAR, MAX_YEAR = 1900, 2199
_NUMBER_CHARS = 40  # longest accepted decimal string
# Most significant digits accepted: the engine's precision, so its scaling stays exact.
_NUMBER_DIGITS = 28


def fail(reason: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError("pso", reason, ctx or None)


def _to_date(value: Any) -> date:
    # Only ISO "YYYY-MM-DD" strings (or date objects): no timestamps, no week dates.
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            d = date.fromisoformat(value)
        except ValueError:
            if value.replace("-", "").isdigit() and value.isascii():  # 2025-02-31, 2025-13-01
                raise fail("Deze datum bestaat niet.") from None
            raise fail("Geen geldige datum (verwacht JJJJ-MM-DD).") from None
    elif isinstance(value, date) and not isinstance(value, datetime):
        d = value
    else:
        raise fail("Moet een datum zijn als tekst JJJJ-MM-DD.")
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise fail(f"De datum moet tussen {MIN_YEAR} en {MAX_YEAR} liggen.")
    return d


_DIGITS = Context(prec=_NUMBER_DIGITS, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _to_decimal(value: Any) -> Decimal:
    d: Decimal
    kind = type(value)  # exact types first: this runs for every number of every submission
    if kind is Decimal:
        d = value
    elif kind is str:
        if len(value) > _NUMBER_CHARS:
            raise fail("Het getal is te lang.")
        if not is_decimal_text(value):  # Decimal() would also read "1_000", "١٢" and "1e3"
            raise fail(NUMBER_REASON)
        d = Decimal(value)
    elif kind is int:
        if abs(value) > 10**_NUMBER_DIGITS:
            raise fail("Het getal is te groot.")
        d = Decimal(value)
    elif kind is float:
        d = Decimal(repr(value))  # the shortest text of the float, not its binary expansion
    else:  # bool, None, lists, objects, subclasses
        raise fail("Moet een getal zijn.")
    if not d.is_finite():
        raise fail("Moet een eindig getal zijn (geen NaN of Infinity).")
    if d and d.adjusted() < -20:
        raise fail("Het getal heeft te veel decimalen.")
    if _DIGITS.plus(d) != d:  # rounding to 28 digits changes it: more than 28 digits
        raise fail("Het getal heeft te veel cijfers.")
    return d


def _bounds_text(low: Decimal | None, high: Decimal | None, low_open: bool) -> str:
    parts = []
    if low is not None:
        parts.append(f"groter dan {dutch_number(low)}" if low_open
                     else f"minstens {dutch_number(low)}")
    if high is not None:
        parts.append(f"hoogstens {dutch_number(high)}")
    return "Moet " + " en ".join(parts) + " zijn."


_NUMBER_SCHEMA = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": DECIMAL_PATTERN}]}


def number(low: int | None = None, high: int | None = None, *, low_open: bool = False) -> Any:
    """A Decimal field given as JSON number or decimal string, within [low, high] (low open)."""
    lo = None if low is None else Decimal(low)
    hi = None if high is None else Decimal(high)
    reason = _bounds_text(lo, hi, low_open)

    def check(value: Any) -> Decimal:
        d = _to_decimal(value)
        too_low = lo is not None and (d <= lo if low_open else d < lo)
        if too_low or (hi is not None and d > hi) or d.adjusted() > 20:
            raise fail(reason)
        return d

    schema: dict[str, Any] = dict(_NUMBER_SCHEMA)
    if lo is not None:
        schema["exclusiveMinimum" if low_open else "minimum"] = float(lo)
    if hi is not None:
        schema["maximum"] = float(hi)
    return Annotated[Decimal, PlainValidator(check), WithJsonSchema(schema)]


IsoDate = Annotated[date, PlainValidator(_to_date),
                    WithJsonSchema({"type": "string", "format": "date"})]


def _text(max_len: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise fail("Moet tekst zijn.")
        if len(value) > max_len:
            raise fail(f"Mag hoogstens {max_len} tekens lang zijn.")
        if not value.strip():
            raise fail("Mag niet leeg zijn.")
        if unsafe_text(value):
            raise fail(UNSAFE_REASON)
        return value
    return check


_text64 = _text(64)


def _reference(value: Any) -> str:
    text = _text64(value)
    digits = text.replace(" ", "").replace(".", "").replace("-", "")
    if len(digits) == 9 and digits.isdigit() and bsn.is_valid(digits):
        raise fail("Lijkt op een geldig BSN; gebruik een pseudoniem, geen persoonsgegevens.")
    return text


def _kvk(value: Any) -> str:
    if not (isinstance(value, str) and len(value) == 8 and value.isascii() and value.isdigit()):
        raise fail("Moet een KvK-nummer van 8 cijfers zijn (als tekst).")
    return value


Reference = Annotated[str, PlainValidator(_reference),
                      WithJsonSchema({"type": "string", "maxLength": 64,
                                      "description": "pseudoniem, geen BSN"})]
Name = Annotated[str, PlainValidator(_text(200)),
                 WithJsonSchema({"type": "string", "maxLength": 200})]
Kvk = Annotated[str, PlainValidator(_kvk),
                WithJsonSchema({"type": "string", "pattern": r"^\d{8}$"})]

if TYPE_CHECKING:  # what the validators below give
    HoursPerWeek = Decimal
    TotalFte = Decimal
    FullTimeHours = Decimal
    Amount = Decimal
    SupplierFte = Decimal
    Percentage = Decimal
else:
    HoursPerWeek = number(0, 80, low_open=True)
    TotalFte = number(0, 10**7, low_open=True)
    FullTimeHours = number(20, 48)
    Amount = number(0, 10**15, low_open=True)
    SupplierFte = number(0, 10**7, low_open=True)
    Percentage = number(0, 100)


def _rulebook_name(value: Any) -> str:
    # late: rulebook loading is not needed to import the model
    from .rulebook import all_rulebooks, unknown_rulebook_reason

    if not isinstance(value, str) or value not in all_rulebooks():
        raise fail(unknown_rulebook_reason())
    return value


RulebookName = Annotated[str, PlainValidator(_rulebook_name),
                         WithJsonSchema({"type": "string", "examples": ["pso-2.1", "pso-1.8"]})]

_CONFIG = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True,
                     extra="ignore", hide_input_in_errors=True)


# Cross-field rules as plain functions: the models call them, and parse_submission() calls
# them on raw items whose own fields failed, so that every violation is reported at once.
def period_problems(start: date | None, end: date | None) -> list[tuple[str, str]]:
    if start is None or end is None:
        return []
    if start > end:
        return [("end", "De einddatum ligt vóór de begindatum.")]
    if (end - start).days + 1 > 366:
        return [("end", "De periode is langer dan 366 dagen.")]
    return []


def employee_problems(position: Any, start: date | None, end: date | None,
                      school_left_on: date | None) -> list[tuple[str, str]]:
    problems = []
    if start is not None and end is not None and end < start:
        problems.append(("employmentEnd", "Het einde van het dienstverband ligt vóór het begin."))
    if position == "vso_pro" and school_left_on is None:
        problems.append(("schoolLeftOn",
                         "Bij de uitgangspositie VSO/PrO hoort de datum waarop de school is verlaten."))
    return problems


def purchase_problems(invoice: Decimal | None, turnover: Decimal | None) -> list[tuple[str, str]]:
    if invoice is not None and turnover is not None and invoice > turnover:
        return [("invoiceAmount", "Het factuurbedrag is hoger dan de omzet van de leverancier.")]
    return []


def _raise_problems(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise fail("fields", problems=problems)


def _doc(text: str, **kw: Any) -> Any:
    return Field(description=text, **kw)


class Period(BaseModel):
    """De meetperiode (peiljaar), begin en einde inclusief, hoogstens 366 dagen."""

    model_config = _CONFIG
    start: IsoDate = _doc("Eerste dag van de periode")
    end: IsoDate = _doc("Laatste dag van de periode (bepaalt het rulebook als er geen is gekozen)")

    @model_validator(mode="after")
    def _check(self) -> Period:
        _raise_problems(period_problems(self.start, self.end))
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Employee(BaseModel):
    """Een medewerker uit de PSO-doelgroep."""

    model_config = _CONFIG
    reference: Reference = _doc("Pseudoniem (hoogstens 64 tekens); een geldig BSN wordt geweigerd")
    starting_position: StartingPosition = _doc("Uitgangspositie bij instroom")
    contract_type: ContractType = _doc("Contractvorm")
    hours_per_week: HoursPerWeek = _doc("Contracturen per week (> 0, hoogstens 80)")
    employment_start: IsoDate = _doc("Datum van indiensttreding; het telvenster begint hier")
    employment_end: IsoDate | None = _doc("Laatste dag in dienst (inclusief)", default=None)
    wage_subsidy_until: IsoDate | None = _doc(
        "Einde loonkostensubsidie (inclusief); verlengt het telvenster van 5 jaar", default=None)
    wsw_indication_until: IsoDate | None = _doc(
        "Einde Wsw-indicatie (inclusief); bij uitgangspositie wsw", default=None)
    school_left_on: IsoDate | None = _doc(
        "Datum van schoolverlaten (verplicht bij vso_pro: telt tot 5 jaar daarna)", default=None)
    in_target_group_register: StrictBool = _doc("Ingeschreven in het doelgroepregister (UWV)",
                                                default=False)

    @model_validator(mode="after")
    def _check(self) -> Employee:
        _raise_problems(employee_problems(self.starting_position, self.employment_start,
                                          self.employment_end, self.school_left_on))
        return self


class Purchase(BaseModel):
    """Inkoop bij een PSO-gecertificeerde organisatie of SW-bedrijf (indirecte bijdrage)."""

    model_config = _CONFIG
    supplier_name: Name = _doc("Naam van de leverancier")
    supplier_kvk: Kvk = _doc("KvK-nummer van de leverancier (8 cijfers)")
    supplier_kind: SupplierKind = _doc("Soort leverancier")
    invoice_amount: Amount = _doc("Gefactureerd bedrag in de periode, EUR excl. btw "
                                  "(getal of decimale tekst; hoogstens de omzet)")
    supplier_turnover: Amount = _doc("Jaaromzet van de leverancier, EUR")
    supplier_fte: SupplierFte = _doc("Totaal aantal FTE van de leverancier")
    supplier_direct_pct: Percentage = _doc("Directe bijdrage van de leverancier in %")

    @model_validator(mode="after")
    def _check(self) -> Purchase:
        _raise_problems(purchase_problems(self.invoice_amount, self.supplier_turnover))
        return self


class Quality(BaseModel):
    """De vier kwaliteitseisen; alle vier nodig voor basistrede en hoger."""

    model_config = _CONFIG
    suitable_work: StrictBool = _doc("Passend werk")
    integration: StrictBool = _doc("Integratie")
    development: StrictBool = _doc("Functioneren en ontwikkeling")
    guidance: StrictBool = _doc("Begeleiding")


class ActionPlan(BaseModel):
    """Plan van aanpak; geeft aspirant-status als het aan de regels voldoet."""

    model_config = _CONFIG
    board_approved: StrictBool = _doc("Goedgekeurd door directie of bestuur")
    target_rung: TargetRung = _doc("Beoogde trede")
    target_date: IsoDate = _doc("Streefdatum: na asOf en hoogstens 2 jaar daarna")


DEFAULT_FULL_TIME = Decimal(40)


class Submission(BaseModel):
    """Personeelsgegevens van één organisatie over één periode (spec §2.1)."""

    model_config = _CONFIG
    period: Period
    total_fte: TotalFte = _doc("Totaal aantal FTE van de organisatie over de periode (> 0)")
    full_time_hours_per_week: FullTimeHours | None = _doc(
        "Voltijdse werkweek volgens de cao (20-48); leeg of null: 40", default=DEFAULT_FULL_TIME)
    employees: list[Employee] = _doc("Medewerkers uit de doelgroep (hoogstens 10.000)",
                                     default_factory=list, max_length=MAX_EMPLOYEES)
    purchases: list[Purchase] = _doc("Inkopen voor de indirecte bijdrage (hoogstens 1.000)",
                                     default_factory=list, max_length=MAX_PURCHASES)
    quality: Quality
    action_plan: ActionPlan | None = None
    as_of: IsoDate | None = _doc("Peildatum voor het plan van aanpak; standaard vandaag",
                                 default=None)
    rulebook: RulebookName | None = _doc(
        "Rulebook (handleidingversie); standaard het rulebook dat geldt op period.end",
        default=None)

    @field_validator("full_time_hours_per_week", mode="after")
    @classmethod
    def _default_week(cls, value: Decimal | None) -> Decimal:
        return DEFAULT_FULL_TIME if value is None else value
