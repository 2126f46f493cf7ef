from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pso.db.base import Base, utcnow


class User(Base):
    """An API token (the table keeps its first-release name). Only the token's SHA-256 is
    stored. A token made on /account or by `pso users add --email` belongs to an account
    (role, KvK and municipality then come from the account's party); tokens of the first
    release, and `pso users add --token-only` without --email, have none."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    kvk: Mapped[str | None] = mapped_column(String(8))
    municipality_code: Mapped[str | None] = mapped_column(String(6))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    label: Mapped[str | None] = mapped_column(String(100))
