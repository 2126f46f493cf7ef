"""Scheduled work (SPEC §7.5): the lease that lets one instance run a job, and the record
of each unit of work done, written in the same transaction as its effect."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pso.db.base import Base, utcnow

LEASE_NAME = "daily"  # the lease of the daily jobs (pso.jobs); the admin dashboard reads it


class JobLease(Base):
    """One row per job. Whoever moves `expires_at` into the future (with an UPDATE that
    only matches an expired lease) runs the job; `last_run_on` is the day of the last
    complete daily run."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None]
    last_run_on: Mapped[date | None]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]


class CertificateReminder(Base):
    """An expiry reminder sent (queued in the outbox) for one certificate: never twice."""

    __tablename__ = "certificate_reminders"
    __table_args__ = (
        UniqueConstraint("certificate_id", "kind", name="uq_certificate_reminders_kind"),
        CheckConstraint("kind IN ('3m', '1m')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    kind: Mapped[str] = mapped_column(String(2))
    run_on: Mapped[date]
    recipients: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoucherExpiry(Base):
    """A voucher whose last valid day passed, noticed once: audit entry and mail."""

    __tablename__ = "voucher_expiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"), unique=True)
    run_on: Mapped[date]
    recipients: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
