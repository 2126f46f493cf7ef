from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pso.db.base import Base, utcnow
from pso.text.search import fold


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kvk: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    # fold(name): what register searches match and sort by (see pso.text.search).
    search_name: Mapped[str] = mapped_column(String(300), default="", index=True)
    municipality_code: Mapped[str] = mapped_column(String(6), index=True)  # the place filter
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    subsidiaries: Mapped[list[OrganizationSubsidiary]] = relationship(
        lazy="selectin", order_by="OrganizationSubsidiary.kvk", cascade="all, delete-orphan")


class OrganizationSubsidiary(Base):
    """A subsidiary entity of an applying organisation (SPEC §7.2): its staff and purchases
    are part of the main applicant's submission, and its KvK number finds the certificate."""

    __tablename__ = "organization_subsidiaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    kvk: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(300))


@event.listens_for(Organization, "before_insert")
@event.listens_for(Organization, "before_update")
def _fold_name(_mapper, _connection, organization: Organization) -> None:
    organization.search_name = fold(organization.name or "")
