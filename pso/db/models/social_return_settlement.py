"""The settlement of a social-return contract (SPEC §8.2): figures frozen at closing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pso.db.base import Base, Money, utcnow


class SocialReturnSettlement(Base):
    """One per contract, never changed: the unique tender id makes a second settlement
    impossible even for two requests at once. The lines are stored as they were valued then
    (`lines`, `blocks`), so the PDF and CSV show the settled state for good."""

    __tablename__ = "social_return_settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), unique=True)
    settled_on: Mapped[datetime] = mapped_column(default=utcnow)
    settled_by: Mapped[str] = mapped_column(String(200))
    early: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(String(500))
    rule: Mapped[dict[str, str]] = mapped_column(JSON)  # the terms' settlement rule
    obligation: Mapped[Decimal] = mapped_column(Money)
    reduction: Mapped[Decimal] = mapped_column(Money)
    remaining: Mapped[Decimal] = mapped_column(Money)
    realised: Mapped[Decimal] = mapped_column(Money)  # accepted lines only
    shortfall: Mapped[Decimal] = mapped_column(Money)
    penalty: Mapped[Decimal] = mapped_column(Money)
    blocks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
