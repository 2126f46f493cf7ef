"""Response models of the voucher API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from pso.db.models import Voucher, VoucherScheme
from pso.schemas.base import ApiModel
from pso.schemas.vouchers import Status
from pso.services.voucher_status import status_on
from pso.services.vouchers import Figures
from pso.voucher_codes import display


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
