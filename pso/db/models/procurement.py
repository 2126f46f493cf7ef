"""Stored tenders (SPEC §4): policy, bids in submission order, the decided evaluation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
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
