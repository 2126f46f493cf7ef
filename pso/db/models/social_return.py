"""Social return after the award (SPEC §8.2): the terms a contract was agreed under."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pso.db.base import Base, Money, utcnow


class SocialReturnTerms(Base):
    """One per awarded tender. The obligation and the PSO reduction are stored as computed
    when the terms were set (from the rung the tender was awarded on), and the valuation model
    is stored whole, so later edits of a model never change an agreed contract."""

    __tablename__ = "social_return_terms"
    __table_args__ = (CheckConstraint("period_end >= period_start", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), unique=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("tender_awards.id"), index=True)
    contract_sum: Mapped[Decimal] = mapped_column(Money)
    rate_pct: Mapped[Decimal | None] = mapped_column(Money)  # a percentage, two decimals
    cap: Mapped[Decimal | None] = mapped_column(Money)
    fixed_amount: Mapped[Decimal | None] = mapped_column(Money)
    reductions: Mapped[dict[str, str]] = mapped_column(JSON)  # rung -> percentage text
    rung: Mapped[str] = mapped_column(String(12))  # the rung the tender was awarded on
    verified: Mapped[bool]
    obligation: Mapped[Decimal] = mapped_column(Money)
    reduction_pct: Mapped[Decimal] = mapped_column(Money)
    reduction: Mapped[Decimal] = mapped_column(Money)
    remaining: Mapped[Decimal] = mapped_column(Money)
    model_id: Mapped[str] = mapped_column(String(60))
    model: Mapped[dict[str, Any]] = mapped_column(JSON)  # sroi.model.model_json shape
    period_start: Mapped[date]
    period_end: Mapped[date]
    # {"rule": "penalty", "factor": "1.5"} or {"rule": "buyout", "percentage": "100"}
    settlement: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))


class SroiModel(Base):
    """A buyer organisation's own valuation model (SPEC §8.1), usually a copy of a published
    one with its own figures. Never changed after it is made: a new version is a new model,
    and a contract keeps the copy it was agreed under anyway (`SocialReturnTerms.model`)."""

    __tablename__ = "sroi_models"
    __table_args__ = (UniqueConstraint("party_id", "model_key",
                                       name="uq_sroi_models_party_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    model_key: Mapped[str] = mapped_column(String(60))  # the model's own `id`
    based_on: Mapped[str | None] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # sroi.model.model_json shape
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class SocialReturnLine(Base):
    """One realisation the contractor reports (SPEC §8.2). Only the inputs are stored: the
    value follows from the contract's model with the engine (a person's window depends on
    their other lines). Only accepted lines count."""

    __tablename__ = "social_return_lines"
    __table_args__ = (CheckConstraint("status IN ('submitted', 'accepted', 'rejected')",
                                      name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    block: Mapped[str] = mapped_column(String(40))
    pseudonym: Mapped[str | None] = mapped_column(String(20))  # never a name or BSN
    start: Mapped[date | None]
    end: Mapped[date | None]
    hours_per_week: Mapped[Decimal | None] = mapped_column(Money)
    bonuses: Mapped[list[str] | None] = mapped_column(JSON)
    hours: Mapped[Decimal | None] = mapped_column(Money)
    description: Mapped[str | None] = mapped_column(String(300))
    supplier_name: Mapped[str | None] = mapped_column(String(300))
    supplier_kvk: Mapped[str | None] = mapped_column(String(8))
    invoice_number: Mapped[str | None] = mapped_column(String(60))
    invoice_date: Mapped[date | None]
    amount: Mapped[Decimal | None] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(10), default="submitted")
    reason: Mapped[str | None] = mapped_column(String(500))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    reported_by: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
