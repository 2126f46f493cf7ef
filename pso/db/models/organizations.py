from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, event
from sqlalchemy.orm import Mapped, mapped_column

from pso.db.base import Base, utcnow
from pso.text_search import fold


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kvk: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    # fold(name): what register searches match and sort by (see pso.text_search).
    search_name: Mapped[str] = mapped_column(String(300), default="", index=True)
    municipality_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(Organization, "before_insert")
@event.listens_for(Organization, "before_update")
def _fold_name(_mapper, _connection, organization: Organization) -> None:
    organization.search_name = fold(organization.name or "")
