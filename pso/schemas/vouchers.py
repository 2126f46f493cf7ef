"""Request models of vouchers (camelCase on the wire, money as strings); the API's responses
are in pso/api/voucher_models.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator

from pso.schemas.base import ApiInput, decimal_input
from pso.statuses import VoucherStatus
from pso.text.identifiers import KvkNumber, MunicipalityCode
from scoring.text import UNSAFE_REASON, unsafe_text

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(1000000000)  # a billion euro: far above any municipal budget
CERTIFICATE_RE = r"^PSO-[0-9]{4}-[0-9]{6}$"
# The OpenAPI document lists the values, so a Literal; the same values as VoucherStatus.
Status = Literal["requested", "issued", "redeemed", "cancelled", "expired", "refused"]
assert set(get_args(Status)) == set(VoucherStatus)


_decimal_input = decimal_input


def _two_decimals(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def _text(value: str) -> str:
    if unsafe_text(value):
        raise ValueError(UNSAFE_REASON)
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_decimal_input),
    Field(gt=0, le=MAX_AMOUNT, decimal_places=2),
    AfterValidator(_two_decimals),
]
Fte = Annotated[
    Decimal,
    BeforeValidator(_decimal_input),
    Field(ge=0, le=1_000_000, decimal_places=2),
    AfterValidator(_two_decimals),
]


class SchemeIn(ApiInput):
    title: Annotated[str, AfterValidator(_text)] = Field(
        min_length=1, max_length=200, description="Naam van de regeling"
    )
    municipality_code: MunicipalityCode = Field(
        description="CBS-code van de eigen gemeente, zoals GM0200"
    )
    voucher_amount: Amount = Field(description="Bedrag per voucher in euro, bijvoorbeeld \"1500.00\"")
    budget: Amount = Field(description="Totaal budget in euro; minstens het bedrag van één voucher")
    application_opens_on: date = Field(description="Eerste dag waarop aangevraagd kan worden")
    application_closes_on: date = Field(description="Laatste dag waarop aangevraagd kan worden")
    voucher_validity_days: int = Field(
        strict=True, ge=1, le=3650,
        description="Geldigheid van een voucher in dagen, de dag van uitgifte meegeteld",
    )
    max_fte: Fte = Field(
        gt=0,
        description="Maximale omvang in fte, inclusief: een organisatie met precies zoveel fte "
        "komt in aanmerking (MKB, minder dan 250: 249.99)",
    )
    eligible_municipality_codes: list[MunicipalityCode] = Field(
        min_length=1, max_length=400,
        description="Gemeenten (CBS-codes) waarin de organisatie gevestigd moet zijn",
    )
    requires_approval: bool = Field(
        default=False, strict=True,
        description="Aanvragen van bedrijven wachten op goedkeuring door de gemeente "
        "(status requested); het bedrag is dan al gereserveerd",
    )

    @field_validator("eligible_municipality_codes")
    @classmethod
    def _unique(cls, codes: list[str]) -> list[str]:
        return list(dict.fromkeys(codes))  # duplicates removed, order kept

    @field_validator("budget")
    @classmethod
    def _budget(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        amount = info.data.get("voucher_amount")
        if amount is not None and value < amount:
            raise ValueError("Het budget moet minstens het bedrag van één voucher zijn.")
        return value

    @field_validator("application_closes_on")
    @classmethod
    def _window(cls, value: date, info: ValidationInfo) -> date:
        opens = info.data.get("application_opens_on")
        if opens is not None and value < opens:
            raise ValueError("De sluitingsdatum ligt vóór de openingsdatum.")
        return value


class IssueIn(ApiInput):
    kvk: KvkNumber = Field(description="KvK-nummer van de aanvragende organisatie (8 cijfers)")
    fte: Fte = Field(description="Omvang van de organisatie in fte")



class RedemptionIn(ApiInput):
    invoice_amount: Amount = Field(description="Factuurbedrag van de beoordeling in euro")
    certificate_number: str | None = Field(
        default=None, pattern=CERTIFICATE_RE, description="Certificaatnummer, PSO-JJJJ-NNNNNN"
    )
    assessment_id: int | None = Field(
        default=None, strict=True, ge=1, le=2**31 - 1, description="Nummer van de aanvraag"
    )


class CancellationIn(ApiInput):
    reason: Annotated[str, AfterValidator(_text)] | None = Field(
        default=None, max_length=500, description="Reden van intrekking"
    )


class SchemePatchIn(ApiInput):
    """Only the fields sent change. The budget may grow; lower than what is committed is
    409 `budget-below-committed`."""

    title: Annotated[str, AfterValidator(_text)] | None = Field(
        default=None, min_length=1, max_length=200)
    voucher_amount: Amount | None = None
    budget: Amount | None = None
    application_opens_on: date | None = None
    application_closes_on: date | None = None
    voucher_validity_days: int | None = Field(default=None, strict=True, ge=1, le=3650)
    max_fte: Fte | None = Field(default=None, gt=0)
    eligible_municipality_codes: list[MunicipalityCode] | None = Field(
        default=None, min_length=1, max_length=400)
    requires_approval: bool | None = Field(default=None, strict=True)

    @field_validator("eligible_municipality_codes")
    @classmethod
    def _unique(cls, codes: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(codes)) if codes is not None else None

    def changes(self) -> dict[str, Any]:
        """The fields sent, minus explicit nulls (nothing here may be emptied)."""
        sent = self.model_dump(by_alias=False, exclude_unset=True)
        return {k: v for k, v in sent.items() if v is not None}


class RefusalIn(ApiInput):
    reason: Annotated[str, AfterValidator(_text)] | None = Field(
        default=None, max_length=500, description="Reden van weigering"
    )
