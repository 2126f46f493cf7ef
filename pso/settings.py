"""Settings read from PSO_* environment variables.

Built inside the app factory (never at import), so tests and the CLI can build their own.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit


class SettingsError(RuntimeError):
    """The environment does not describe a runnable service."""


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path.cwd() / 'pso.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    # Production unless asked otherwise: development (open /dev/mail, a per-process key, demo
    # data) must be chosen with PSO_ENV=development (`make run` does).
    env: str = "production"
    database_url: str = field(default_factory=_default_database_url)
    secret_key: str = ""
    public_url: str = "http://127.0.0.1:8000"
    issuer_name: str = "PSO Certificering (demo)"
    max_body_bytes: int = 5 * 1024 * 1024
    rate_limit: int = 120
    redis_url: str | None = None
    log_level: str = "INFO"
    # PDF rendering: 0 workers renders in a thread (dev, tests); >0 uses recycled processes.
    pdf_workers: int = 0
    pdf_renders_per_worker: int = 200
    pdf_timeout: float = 30.0
    # Uploaded files (pso.files.parse_pool): 0 reads them in a thread; >0 in worker processes.
    # None: 1 in production, 0 otherwise.
    parse_workers: int | None = None
    # Mail (pso.mail): without smtp_url mails stay in the outbox (/dev/mail, `pso mail outbox`).
    smtp_url: str | None = None
    mail_from: str = "PSO-dienst <noreply@pso.localhost>"
    mail_poll_seconds: float = 5.0
    # Scheduled work (pso.jobs): the daily run starts at this hour, Europe/Amsterdam.
    jobs_hour: int = 6
    # PSO_TODAY: a fixed date for development and tests (refused in production).
    today: date | None = None
    # One log line per request (PSO_ACCESS_LOG=1): off by default, it costs a third of the
    # throughput of a cheap request.
    access_log: bool = False
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (pso/http/proxy.py); none by
    # default. Addresses or CIDRs, comma-separated.
    trusted_proxies: tuple[str, ...] = ()
    # A browser session ends after this many minutes without requests (and after 8 hours
    # in any case, pso.services.accounts.SESSION_LIFETIME).
    session_idle_minutes: int = 30
    # PSO_CORS_ORIGINS: websites (scheme://host[:port], comma-separated) whose scripts may
    # call the guarded API operations; the public ones answer `*` anyway (pso/http/middleware.py).
    cors_origins: tuple[str, ...] = ()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def is_development(self) -> bool:
        return self.env in {"development", "test"}

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        mode = (env.get("PSO_ENV", "").strip() or "production").lower()
        if mode not in {"development", "test", "production"}:
            raise SettingsError(f"PSO_ENV must be development, test or production, not {mode!r}")
        values["env"] = mode
        if url := env.get("PSO_DATABASE_URL"):
            values["database_url"] = url
        if url := env.get("PSO_PUBLIC_URL"):
            values["public_url"] = url.rstrip("/")
        if name := env.get("PSO_ISSUER_NAME"):
            values["issuer_name"] = name
        if url := env.get("PSO_REDIS_URL"):
            values["redis_url"] = url
        if level := env.get("PSO_LOG_LEVEL"):
            values["log_level"] = level.upper()
        for key, attr in (("PSO_MAX_BODY_BYTES", "max_body_bytes"), ("PSO_RATE_LIMIT", "rate_limit"),
                          ("PSO_PDF_WORKERS", "pdf_workers"),
                          ("PSO_PDF_RENDERS_PER_WORKER", "pdf_renders_per_worker"),
                          ("PSO_PARSE_WORKERS", "parse_workers")):
            if key in env:
                try:
                    values[attr] = int(env[key])
                except ValueError as exc:
                    raise SettingsError(f"{key} must be a whole number") from exc
        if "PSO_ACCESS_LOG" in env:
            values["access_log"] = env["PSO_ACCESS_LOG"].strip().lower() in {"1", "true", "yes", "on"}
        if "PSO_PDF_TIMEOUT" in env:
            try:
                values["pdf_timeout"] = float(env["PSO_PDF_TIMEOUT"])
            except ValueError as exc:
                raise SettingsError("PSO_PDF_TIMEOUT must be a number of seconds") from exc
        values.update(_mail_and_jobs(env, mode))
        if "PSO_SESSION_IDLE_MINUTES" in env:
            values["session_idle_minutes"] = _whole_in(
                env["PSO_SESSION_IDLE_MINUTES"], range(1, MAX_IDLE_MINUTES + 1),
                "PSO_SESSION_IDLE_MINUTES must be a whole number of minutes from 1 to "
                f"{MAX_IDLE_MINUTES} (the 8-hour session lifetime)")
        if proxies := env.get("PSO_TRUSTED_PROXIES", "").strip():
            try:
                parse_trusted(proxies)
            except ValueError as exc:
                raise SettingsError(f"PSO_TRUSTED_PROXIES: {exc}") from exc
            values["trusted_proxies"] = tuple(p.strip() for p in proxies.split(",") if p.strip())
        if origins := env.get("PSO_CORS_ORIGINS", "").strip():
            values["cors_origins"] = _cors_origins(origins)
        secret = env.get("PSO_SECRET_KEY", "")
        values.update(overrides)
        if values["env"] == "production" and not env.get("PSO_PUBLIC_URL", "").strip():
            # Links in mails and on certificates would point at 127.0.0.1.
            raise SettingsError("PSO_PUBLIC_URL is required in production (PSO_ENV unset or "
                                "production), e.g. https://pso.example.nl; for development "
                                "set PSO_ENV=development")
        if not secret:
            if values["env"] == "production":
                raise SettingsError("PSO_SECRET_KEY is required in production (PSO_ENV unset or "
                                    "production): at least 32 random characters; for "
                                    "development set PSO_ENV=development")
            # Development only: a per-process key; sessions do not survive a restart.
            secret = secrets.token_urlsafe(32)
        elif len(secret) < 32:
            raise SettingsError("PSO_SECRET_KEY must be at least 32 characters")
        values.setdefault("secret_key", secret)
        if values.get("parse_workers") is None:
            values["parse_workers"] = 1 if values["env"] == "production" else 0
        return cls(**values)  # type: ignore[arg-type]


# Longer than the absolute session lifetime (8 hours) would mean nothing.
MAX_IDLE_MINUTES = 8 * 60


def _cors_origins(text: str) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/").lower() for o in text.split(",") if o.strip())
    for origin in origins:
        parts = urlsplit(origin)
        if (parts.scheme not in {"http", "https"} or not parts.hostname or parts.path
                or parts.query or parts.fragment or parts.username):
            raise SettingsError(
                f"PSO_CORS_ORIGINS: {origin!r} is not an origin like https://app.example.nl "
                "(no `*`: the public operations allow every origin already, the others "
                "only listed ones)")
    return origins


def _whole_in(text: str, allowed: range, message: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = allowed.start - 1
    if number not in allowed:
        raise SettingsError(message)
    return number


def _mail_and_jobs(env: Mapping[str, str], mode: str) -> dict[str, object]:
    """PSO_SMTP_URL, PSO_MAIL_FROM, PSO_MAIL_POLL_SECONDS, PSO_JOBS_HOUR and PSO_TODAY."""
    values: dict[str, object] = {}
    if url := env.get("PSO_SMTP_URL", "").strip():
        if urlsplit(url).scheme not in {"smtp", "smtps"} or not urlsplit(url).hostname:
            raise SettingsError("PSO_SMTP_URL must look like smtp://user:pass@host:587 "
                                "or smtps://user:pass@host:465")
        values["smtp_url"] = url
    if sender := env.get("PSO_MAIL_FROM", "").strip():
        if "@" not in sender:
            raise SettingsError("PSO_MAIL_FROM must be an e-mail address")
        values["mail_from"] = sender
    if "PSO_MAIL_POLL_SECONDS" in env:
        try:
            values["mail_poll_seconds"] = float(env["PSO_MAIL_POLL_SECONDS"])
        except ValueError as exc:
            raise SettingsError("PSO_MAIL_POLL_SECONDS must be a number of seconds") from exc
    if "PSO_JOBS_HOUR" in env:
        values["jobs_hour"] = _whole_in(env["PSO_JOBS_HOUR"], range(24),
                                        "PSO_JOBS_HOUR must be an hour from 0 to 23")
    if day := env.get("PSO_TODAY", "").strip():
        if mode == "production":
            raise SettingsError("PSO_TODAY fixes the date for development and tests only; "
                                "it is refused with PSO_ENV=production")
        try:
            values["today"] = date.fromisoformat(day)
        except ValueError as exc:
            raise SettingsError("PSO_TODAY must be a date like 2026-03-01") from exc
    return values


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted(value: str | Iterable[str]) -> tuple[Network, ...]:
    """`10.0.0.5, 192.168.0.0/16, ::1` → networks; ValueError names a bad entry."""
    items = value.split(",") if isinstance(value, str) else value
    networks: list[Network] = []
    for item in (part.strip() for part in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"not an IP address or network: {item!r}") from exc
    return tuple(networks)
