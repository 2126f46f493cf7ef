from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pso.db.base import Base, utcnow


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kvk: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    municipality_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
