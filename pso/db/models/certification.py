from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from pso.db.base import Base, utcnow
from pso.db.models.accounts import Party
from pso.db.models.organizations import Organization


class Assessment(Base):
    """An application: a submission scored on every change, then decided by an auditor."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    submission: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[dict[str, Any]] = mapped_column(JSON)
    rulebook: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    corrected: Mapped[bool] = mapped_column(default=False)
    # The company portal (SPEC §7.2): the furthest wizard step saved, a motivation per
    # quality criterion, the chosen certifying body, and the application it was copied from.
    wizard_step: Mapped[int] = mapped_column(default=1, server_default="1")
    motivations: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    certifying_body_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"))
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))

    organization: Mapped[Organization] = relationship(lazy="joined")
    certifying_body: Mapped[Party | None] = relationship(lazy="joined")
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="assessment", lazy="selectin", order_by="Certificate.id"
    )


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (Index("ix_certificates_org_kind", "organization_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    rung: Mapped[str] = mapped_column(String(12), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    valid_from: Mapped[date]
    valid_until: Mapped[date] = mapped_column(index=True)
    rulebook: Mapped[str] = mapped_column(String(20))
    issuer: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    revoked_on: Mapped[date | None]
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    superseded_from: Mapped[date | None]
    # The subsidiaries the certificate covers, as printed on it: [{kvk, name}].
    subsidiaries: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)

    organization: Mapped[Organization] = relationship(lazy="joined")
    assessment: Mapped[Assessment] = relationship(back_populates="certificates")
    suspensions: Mapped[list[Suspension]] = relationship(
        lazy="selectin", order_by="Suspension.id", back_populates="certificate"
    )


class Suspension(Base):
    """A suspension period: from `start` (inclusive) until reinstatement on `end` (exclusive)."""

    __tablename__ = "certificate_suspensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    start: Mapped[date]
    end: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(Text)

    certificate: Mapped[Certificate] = relationship(back_populates="suspensions")


class CertificateSequence(Base):
    """Last number used per year. Incremented inside the issuing transaction, so a
    rolled-back approval gives its number back and the series stays gap-free."""

    __tablename__ = "certificate_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)
