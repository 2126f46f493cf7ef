"""The mail outbox (SPEC §7.5): a mail is a row written in the same transaction as the
event it tells about; pso.mail.sender delivers it later and marks it sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pso.db.base import Base, utcnow

# queued: waiting (again, after a failure: see next_attempt_at); sent: the SMTP server
# accepted it; failed: refused for good (a permanent 5xx answer or too many attempts).
MAIL_STATUSES = ("queued", "sent", "failed")


class OutboxMail(Base):
    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status"),
        # The sender's question: which queued mails are due?
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable across retries: the Message-ID is <key@sender-domain>, so a receiver can
    # recognise the same mail should it ever arrive twice.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    template: Mapped[str] = mapped_column(String(60))
    to_address: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="queued")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A sender claims a mail (holder and lease end) in a short transaction of its own,
    # then talks to the SMTP server outside any transaction; another sender skips
    # claimed mails until the lease has passed (a crashed sender's mails come back).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
