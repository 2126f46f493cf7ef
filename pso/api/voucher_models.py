"""Request and response models of the voucher API (camelCase on the wire, money as strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator

from pso.api.base import ApiInput, ApiModel, decimal_input
from pso.db.models import Voucher, VoucherScheme
from pso.identifiers import KvkNumber, MunicipalityCode
from pso.services.vouchers import Figures, status_on
from pso.voucher_codes import display
from scoring.text import UNSAFE_REASON, unsafe_text

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(1000000000)  # a billion euro: far above any municipal budget
CERTIFICATE_RE = r"^PSO-[0-9]{4}-[0-9]{6}$"
Status = Literal["requested", "issued", "redeemed", "cancelled", "expired", "refused"]


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


class StatusCounts(ApiModel):
    requested: int
    refused: int
    issued: int
    redeemed: int
    cancelled: int
    expired: int


class SchemeOut(ApiModel):
    id: int
    title: str
    municipality_code: str
    voucher_amount: Decimal
    budget: Decimal
    application_opens_on: date
    application_closes_on: date
    voucher_validity_days: int
    max_fte: Decimal
    eligible_municipality_codes: list[str]
    requires_approval: bool
    municipality_name: str = Field(description="Naam van de gemeente (anders de code)")
    created_at: datetime
    application_open: bool = Field(description="Kan er vandaag aangevraagd worden?")
    committed: Decimal = Field(description="Vastgelegd: gereserveerd (uitgegeven) plus uitbetaald")
    redeemed: Decimal = Field(description="Uitbetaald bij verzilvering")
    available: Decimal = Field(description="Budget min vastgelegd")
    counts: StatusCounts

    @classmethod
    def build(cls, scheme: VoucherScheme, fig: Figures, day: date,
              names: dict[str, str] | None = None) -> SchemeOut:
        return cls(
            requires_approval=scheme.requires_approval,
            municipality_name=(names or {}).get(scheme.municipality_code,
                                                scheme.municipality_code),
            id=scheme.id,
            title=scheme.title,
            municipality_code=scheme.municipality_code,
            voucher_amount=scheme.voucher_amount,
            budget=scheme.budget,
            application_opens_on=scheme.application_opens_on,
            application_closes_on=scheme.application_closes_on,
            voucher_validity_days=scheme.voucher_validity_days,
            max_fte=scheme.max_fte,
            eligible_municipality_codes=scheme.eligible_municipality_codes,
            created_at=scheme.created_at,
            application_open=scheme.application_opens_on <= day <= scheme.application_closes_on,
            committed=fig.committed,
            redeemed=fig.redeemed,
            available=fig.available,
            counts=StatusCounts(**fig.counts),
        )


class SchemeList(ApiModel):
    items: list[SchemeOut]


class VoucherOut(ApiModel):
    code: str = Field(description="Vouchercode in groepen van vier, met controleteken")
    scheme_id: int
    kvk: str
    organization_name: str
    municipality_code: str = Field(description="Gemeente van de regeling")
    amount: Decimal
    status: Status
    issued_on: date
    expires_on: date = Field(description="Laatste dag waarop de voucher verzilverd kan worden")
    fte: Decimal
    redeemed_on: date | None = None
    redeemed_amount: Decimal | None = None
    invoice_amount: Decimal | None = None
    certificate_number: str | None = None
    assessment_id: int | None = None
    cancelled_on: date | None = None
    cancellation_reason: str | None = None
    requested_on: date | None = Field(default=None, description="Aangevraagd op (bij goedkeuring)")
    decided_on: date | None = Field(default=None, description="Goedgekeurd of geweigerd op")
    refusal_reason: str | None = None
    pdf_sha256: str | None = Field(default=None, description="SHA-256 van de bewaarde pdf")

    @classmethod
    def build(cls, voucher: Voucher, day: date) -> VoucherOut:
        return cls(
            code=display(voucher.code),
            scheme_id=voucher.scheme_id,
            kvk=voucher.organization.kvk,
            organization_name=voucher.organization.name,
            municipality_code=voucher.scheme.municipality_code,
            amount=voucher.amount,
            status=status_on(voucher, day),
            issued_on=voucher.issued_on,
            expires_on=voucher.expires_on,
            fte=voucher.fte,
            redeemed_on=voucher.redeemed_on,
            redeemed_amount=voucher.redeemed_amount,
            invoice_amount=voucher.invoice_amount,
            certificate_number=voucher.certificate_number,
            assessment_id=voucher.assessment_id,
            cancelled_on=voucher.cancelled_on,
            cancellation_reason=voucher.cancellation_reason,
            requested_on=voucher.requested_on,
            decided_on=voucher.decided_on,
            refusal_reason=voucher.refusal_reason,
            pdf_sha256=voucher.pdf_sha256,
        )


class VoucherPage(ApiModel):
    items: list[VoucherOut]
    page: int
    page_size: int
    total: int


class OpenSchemeOut(ApiModel):
    id: int
    title: str
    municipality_code: str
    municipality_name: str
    voucher_amount: Decimal
    application_closes_on: date
    voucher_validity_days: int
    max_fte: Decimal
    eligible_municipality_codes: list[str]
    requires_approval: bool
    available: Decimal = Field(description="Nog beschikbaar budget")
    eligible: bool | None = Field(
        default=None, description="Met ?kvk=: mag deze organisatie nu aanvragen?")
    ineligible_reason: str | None = None


class OpenSchemeList(ApiModel):
    items: list[OpenSchemeOut]
