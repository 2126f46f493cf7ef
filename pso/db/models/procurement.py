"""Stored tenders (SPEC §4): policy, bids in submission order, the decided evaluation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from pso.db.base import Base, Money, utcnow


class Tender(Base):
    __tablename__ = "tenders"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[date]  # bids until and including this day; certificates judged on it
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)  # pso.procurement.serialize shape
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The buying organisation (party of kind "buyer"): every person of it, signed in or
    # with a personal token, sees its tenders. NULL for tenders of first-release tokens.
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    evaluated_at: Mapped[datetime | None]
    evaluated_by: Mapped[str | None] = mapped_column(String(200))
    # The decided evaluation: ranking plus the register facts it used. Written once, then
    # shown as stored, whatever happens to the certificates later. Large for big tenders,
    # so only loaded when asked for.
    snapshot: Mapped[dict[str, Any] | None] = deferred(mapped_column(JSON))

    bids: Mapped[list[TenderBid]] = relationship(
        back_populates="tender", lazy="raise", order_by="TenderBid.position"
    )


class TenderBid(Base):
    __tablename__ = "tender_bids"
    __table_args__ = (
        UniqueConstraint("tender_id", "kvk", name="uq_tender_bids_tender_kvk"),
        UniqueConstraint("tender_id", "position", name="uq_tender_bids_tender_position"),
        CheckConstraint("price > 0", name="price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"))
    position: Mapped[int]  # submission order, 1-based: the last tie-break
    bidder: Mapped[str] = mapped_column(String(300))
    kvk: Mapped[str] = mapped_column(String(8))
    price: Mapped[Decimal] = mapped_column(Money)
    certificate_number: Mapped[str | None] = mapped_column(String(16))
    declared_rung: Mapped[str | None] = mapped_column(String(12))
    consortium: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by: Mapped[str] = mapped_column(String(200))

    tender: Mapped[Tender] = relationship(back_populates="bids")


class TenderAward(Base):
    """The award of a tender and the contract it starts (SPEC §7.4 contract monitoring).

    What won is kept as it was decided: the rung, the advantage and the penalty from the
    stored evaluation, and the certificates that carried the rung (for a consortium every
    member's)."""

    __tablename__ = "tender_awards"
    __table_args__ = (CheckConstraint("contract_end >= contract_start", name="contract"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), unique=True)
    bidder: Mapped[str] = mapped_column(String(300))
    kvk: Mapped[str] = mapped_column(String(8))
    position: Mapped[int]  # place in the ranking
    rung: Mapped[str] = mapped_column(String(12))
    pso30plus: Mapped[bool]
    verified: Mapped[bool]
    price: Mapped[Decimal] = mapped_column(Money)
    advantage: Mapped[Decimal] = mapped_column(Money)
    penalty: Mapped[Decimal] = mapped_column(Money)  # penaltyIfNotMaintained
    # [{"number", "kvk", "kind", "rung", "validUntil"}] as they were on the deadline
    certificates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    contract_start: Mapped[date]
    contract_end: Mapped[date]
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    awarded_by: Mapped[str] = mapped_column(String(200))


class ContractCheck(Base):
    """The look at the winner's certificates on one day of the contract (daily job, award,
    or an on-demand `pso jobs run`); a second look on the same day replaces the first."""

    __tablename__ = "contract_checks"
    __table_args__ = (Index("uq_contract_checks_award_day", "award_id", "day", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("tender_awards.id"), index=True)
    day: Mapped[date]
    ok: Mapped[bool]
    # [{"number", "kvk", "status", "rung", "ok", "note"}]
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContractEvent(Base):
    """A change that matters to the buyer, recorded (and mailed) once per certificate and
    kind: suspended, revoked, expired, superseded (by a lower rung), expiry_warning."""

    __tablename__ = "contract_events"
    __table_args__ = (
        UniqueConstraint("award_id", "certificate_number", "kind",
                         name="uq_contract_events_award_certificate_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("tender_awards.id"), index=True)
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(20))
    certificate_number: Mapped[str] = mapped_column(String(16))
    kvk: Mapped[str] = mapped_column(String(8))
    rung_won: Mapped[str] = mapped_column(String(12))
    rung_now: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str] = mapped_column(String(500))
    penalty: Mapped[Decimal | None] = mapped_column(Money)  # set when the rung was lost
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
