from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pso.db.base import Base, utcnow


class IdempotencyRecord(Base):
    """The first response to a POST carrying an Idempotency-Key, replayed on repeats."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("actor_key", "key", name="uq_idempotency_actor_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_key: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    body: Mapped[dict | list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
