from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, Text, event, insert
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pso.db.base import Base, utcnow
from pso.db.models.accounts import Party
from pso.db.models.organizations import Organization


class Assessment(Base):
    """An application: a submission scored on every change, then decided by an auditor."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
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
    # The company portal (SPEC §7.2, issue 12): the furthest wizard step saved, a
    # motivation per quality criterion, and the application it was copied from.
    wizard_step: Mapped[int] = mapped_column(default=1, server_default="1")
    motivations: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Not a foreign key on purpose: a plain column keeps migration 0011 free of table
    # rebuilds on SQLite; it only ever names an assessment of the same organisation.
    copied_from_id: Mapped[int | None]
    # Issue 13: the certifying body the application is addressed to (a party of kind
    # certifying_body), who reviewed it and who decided it (Actor.key and name), the open
    # information request, the data as submitted before the first correction, and the seed
    # of the reproducible sample of employees.
    certifying_body_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    reviewer_key: Mapped[str | None] = mapped_column(String(60))
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    review_started_at: Mapped[datetime | None]
    # Issue 21: the reviewer's hand-over ("beoordeling afgerond"); the decision needs it.
    review_completed_at: Mapped[datetime | None]
    decider_key: Mapped[str | None] = mapped_column(String(60))
    information_request: Mapped[str | None] = mapped_column(Text)
    information_requested_at: Mapped[datetime | None]
    original_submission: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    original_score: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sample_seed: Mapped[int | None] = mapped_column(BigInteger)

    organization: Mapped[Organization] = relationship(lazy="joined")
    certifying_body: Mapped[Party | None] = relationship(lazy="joined")
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="assessment", lazy="selectin", order_by="Certificate.id"
    )


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        Index("ix_certificates_org_kind", "organization_id", "kind"),
        # The register's orders, each with the number as tie-breaker (keyset paging);
        # ix_certificates_newest (valid_from DESC, number DESC) follows the class.
        # The organisation last: a name search walks an order testing each entry's
        # organisation without reading the row (migration 0022).
        # (PostgreSQL: with the id, which SQLite keeps in every index entry anyway.)
        Index("ix_certificates_validity", "valid_until", "number", "organization_id",
              postgresql_include=["id"]),
        Index("ix_certificates_rung_number", "rung", "number", "organization_id",
              postgresql_include=["id"]),
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
    # The subsidiaries the certificate covers, as printed on it: [{kvk, name}].
    subsidiaries: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    # A pso30plus certificate follows the ladder certificate issued with it (SPEC §7.3).
    ladder_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    certifying_body_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"))

    organization: Mapped[Organization] = relationship(lazy="joined")
    assessment: Mapped[Assessment] = relationship(back_populates="certificates")
    suspensions: Mapped[list[Suspension]] = relationship(
        lazy="selectin", order_by="Suspension.id", back_populates="certificate"
    )
    # The PDF bytes live in their own table: they would make every scan of the register read
    # megabytes (SQLite stores a row's overflow pages with it). Never loaded with the row.
    pdf_file: Mapped[CertificatePdf] = relationship(lazy="noload", cascade="all, delete-orphan")


Index("ix_certificates_newest", Certificate.valid_from.desc(), Certificate.number.desc(),
      Certificate.organization_id, postgresql_include=["id"])
# A rung filter in register order (migration 0022).
Index("ix_certificates_rung_newest", Certificate.rung, Certificate.valid_from.desc(),
      Certificate.number.desc(), postgresql_include=["id"])


class CertificateSubsidiary(Base):
    """One KvK number a certificate covers besides its main applicant: its own frozen list
    (`Certificate.subsidiaries`, SPEC §7.2) as rows, so a look-up by KvK is one index probe.
    Written with the certificate (the event below); never changed afterwards."""

    __tablename__ = "certificate_subsidiaries"

    kvk: Mapped[str] = mapped_column(String(8), primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True, index=True)


@event.listens_for(Certificate, "after_insert")
def _cover_subsidiaries(_mapper, connection, certificate: Certificate) -> None:
    kvks = sorted({s["kvk"] for s in certificate.subsidiaries or ()})
    if kvks:
        connection.execute(insert(CertificateSubsidiary),
                           [{"kvk": k, "certificate_id": certificate.id} for k in kvks])


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
    # True for a pso30plus suspension that only follows its ladder certificate's suspension
    # (lifted again when the ladder certificate is reinstated).
    follows_ladder: Mapped[bool] = mapped_column(default=False)

    certificate: Mapped[Certificate] = relationship(back_populates="suspensions")


class CertificateSequence(Base):
    """Last number used per year. Incremented inside the issuing transaction, so a
    rolled-back approval gives its number back and the series stays gap-free."""

    __tablename__ = "certificate_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)


class CertifyingBody(Base):
    """What a party of kind `certifying_body` has beyond its code and name (SPEC §7.3)."""

    __tablename__ = "certifying_bodies"

    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), primary_key=True,
                                          autoincrement=False)
    accreditation: Mapped[str] = mapped_column(Text, default="")
    separate_decision: Mapped[bool] = mapped_column(default=True)

    party: Mapped[Party] = relationship(lazy="joined", innerjoin=True)


class AssessmentDocument(Base):
    """An evidence document of an application; its bytes live in DocumentContent."""

    __tablename__ = "assessment_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(200))


class DocumentContent(Base):
    """The bytes of one evidence document, apart so listing documents never loads them."""

    __tablename__ = "assessment_document_contents"

    document_id: Mapped[int] = mapped_column(ForeignKey("assessment_documents.id"),
                                             primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
