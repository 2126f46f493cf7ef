from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pso.db.base import Base, utcnow
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

    organization: Mapped[Organization] = relationship(lazy="joined")
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="assessment", lazy="selectin", order_by="Certificate.id"
    )


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        Index("ix_certificates_org_kind", "organization_id", "kind"),
        # The register's orders, each with the number as tie-breaker (keyset paging);
        # ix_certificates_newest (valid_from DESC, number DESC) follows the class.
        Index("ix_certificates_validity", "valid_until", "number"),
        Index("ix_certificates_rung_number", "rung", "number"),
        # Certificates of the organisations a name search found, in register order,
        # without reading the rows (a covering index).
        Index("ix_certificates_org_newest", "organization_id", "valid_from", "number"),
    )

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
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    revoked_on: Mapped[date | None]
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    superseded_from: Mapped[date | None]

    organization: Mapped[Organization] = relationship(lazy="joined")
    assessment: Mapped[Assessment] = relationship(back_populates="certificates")
    suspensions: Mapped[list[Suspension]] = relationship(
        lazy="selectin", order_by="Suspension.id", back_populates="certificate"
    )
    # The PDF bytes live in their own table: they would make every scan of the register read
    # megabytes (SQLite stores a row's overflow pages with it). Never loaded with the row.
    pdf_file: Mapped[CertificatePdf] = relationship(lazy="noload", cascade="all, delete-orphan")


Index("ix_certificates_newest", Certificate.valid_from.desc(), Certificate.number.desc())


class CertificatePdf(Base):
    """The PDF exactly as issued; its SHA-256 is on the certificate."""

    __tablename__ = "certificate_pdfs"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), primary_key=True,
                                                autoincrement=False)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


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
