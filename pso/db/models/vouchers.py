"""Municipal subsidy vouchers (SPEC §5).

Budget figures are never stored: they are summed from the vouchers (see
pso.services.vouchers.committed_sql), so there is no counter that could drift.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from pso.db.base import Base, Money, utcnow
from pso.db.models.organizations import Organization
from pso.statuses import VoucherStatus

# Stored states: "expired" is derived from expires_on.
STORED_STATUSES = tuple(s for s in VoucherStatus if s is not VoucherStatus.EXPIRED)


class VoucherScheme(Base):
    __tablename__ = "voucher_schemes"
    __table_args__ = (
        CheckConstraint("voucher_amount > 0 AND budget >= voucher_amount", name="amounts"),
        CheckConstraint("application_closes_on >= application_opens_on", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    municipality_code: Mapped[str] = mapped_column(String(6), index=True)
    voucher_amount: Mapped[Decimal] = mapped_column(Money)
    budget: Mapped[Decimal] = mapped_column(Money)
    application_opens_on: Mapped[date]
    application_closes_on: Mapped[date]
    voucher_validity_days: Mapped[int]
    # Inclusive: an organisation with fte <= max_fte qualifies. Money is the generic
    # two-decimal fixed-point type (stored as hundredths), not a sum of euros here.
    max_fte: Mapped[Decimal] = mapped_column(Money)
    eligible_municipality_codes: Mapped[list[str]] = mapped_column(JSON)
    # Companies' applications wait for the municipality's approval (status "requested").
    requires_approval: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class Voucher(Base):
    __tablename__ = "vouchers"
    __table_args__ = (
        # One voucher per organisation per scheme, whatever its status; also the last
        # line of defence if two requests for the same organisation race.
        UniqueConstraint("scheme_id", "organization_id", name="uq_vouchers_scheme_organization"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STORED_STATUSES) + ")", name="status"
        ),
        CheckConstraint(
            "redeemed_amount IS NULL OR (redeemed_amount > 0 AND redeemed_amount <= amount)",
            name="redeemed_amount",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # canonical, without dashes
    scheme_id: Mapped[int] = mapped_column(ForeignKey("voucher_schemes.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    fte: Mapped[Decimal] = mapped_column(Money)  # as declared when applying
    amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(12))
    issued_on: Mapped[date]
    expires_on: Mapped[date]  # last day on which it can be redeemed
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(200))
    redeemed_on: Mapped[date | None]
    redeemed_amount: Mapped[Decimal | None] = mapped_column(Money)
    invoice_amount: Mapped[Decimal | None] = mapped_column(Money)
    certificate_number: Mapped[str | None] = mapped_column(String(16))
    assessment_id: Mapped[int | None]
    redeemed_by: Mapped[str | None] = mapped_column(String(200))
    cancelled_on: Mapped[date | None]
    cancellation_reason: Mapped[str | None] = mapped_column(String(500))
    cancelled_by: Mapped[str | None] = mapped_column(String(200))
    # A company's request (requires_approval): when asked, and the municipality's decision.
    requested_on: Mapped[date | None]
    decided_on: Mapped[date | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    # The PDF, rendered at issue and at every status change and served as stored, like a
    # certificate's; pdf_status is the status it shows (re-rendered once when it expires).
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_status: Mapped[str | None] = mapped_column(String(12))

    scheme: Mapped[VoucherScheme] = relationship(lazy="joined")
    organization: Mapped[Organization] = relationship(lazy="joined")
