"""People and the parties they act for (SPEC §7.1): accounts, web sessions, sign-in
attempts, one-time links (password reset, invitation) and TOTP recovery codes.

Secrets are never stored as such: passwords as Argon2id hashes, session ids, link tokens
and recovery codes as SHA-256 (they are random, 256 bits, so a plain hash suffices).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pso.db.base import Base, utcnow

PARTY_KINDS = ("applicant", "certifying_body", "buyer", "municipality", "admin")

# Which party kind each role belongs to.
ROLE_PARTY = {
    "company": "applicant",
    "auditor": "certifying_body",
    "procurement": "buyer",
    "municipality": "municipality",
    "admin": "admin",
}


class Party(Base):
    """An applying organisation (KvK), certifying body (code), buying organisation (KvK),
    municipality (GM code and name) or the administrators (code 'admin')."""

    __tablename__ = "parties"
    __table_args__ = (UniqueConstraint("kind", "code", name="uq_parties_kind_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    # A buying organisation's municipality (GM code): that municipality sees the aggregated
    # social-return figures of this party's contracts. Set by an admin; None elsewhere.
    municipality_code: Mapped[str | None] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Account(Base):
    """A person who signs in with an e-mail address (stored lower-case) and a password."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    password_changed_at: Mapped[datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]  # the last accepted 30-second step: no code twice
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    party: Mapped[Party] = relationship(lazy="joined", innerjoin=True)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class WebSession(Base):
    """A signed-in browser. The cookie holds a random id; only its SHA-256 is stored.

    `stage` is 'totp' between a right password and the second factor, then 'full'.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    stage: Mapped[str] = mapped_column(String(10), default="full")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    client_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


FORM_REPLY_LIFETIME = timedelta(hours=1)


class FormReply(Base):
    """A form page with its errors, kept for the GET after a refused POST (post/redirect/
    get): the browser's history holds only GETs, so Back never asks to resubmit. One-time,
    for the browser that posted (`basis_hash`: its session or anonymous form nonce), and
    dropped after an hour. The page is stored as rendered, with the values typed."""

    __tablename__ = "form_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    basis_hash: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(1000))
    status: Mapped[int]
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LoginAttempt(Base):
    """One sign-in attempt, for throttling (per e-mail and address, and per address)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_address_at", "email", "client_address", "at"),
        Index("ix_login_attempts_address_at", "client_address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    client_address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class OneTimeLink(Base):
    """A mailed link: 'reset' (1 hour) or 'invite' (7 days); usable once."""

    __tablename__ = "one_time_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RecoveryCode(Base):
    """A single-use TOTP recovery code (SHA-256 of the code)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
