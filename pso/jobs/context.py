"""What a job gets: the database, the settings, the day it runs for, and its lease."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pso.db.base import utcnow
from pso.db.models.jobs import LEASE_NAME
from pso.jobs import lease
from pso.settings import Settings

log = logging.getLogger("pso.jobs")

# The lease outlives a slow unit of work by far; each unit renews it.
LEASE_TTL = timedelta(minutes=10)


class LeaseLost(RuntimeError):
    """Our lease expired and another instance took it: stop at once (it carries on)."""


@dataclass
class JobContext:
    session_maker: async_sessionmaker[AsyncSession]
    settings: Settings
    day: date
    holder: str

    @property
    def public_url(self) -> str:
        return self.settings.public_url

    async def unit_done(self) -> None:
        """Called after each committed unit of work: keeps the lease ours."""
        if not await lease.renew(self.session_maker, LEASE_NAME, self.holder, utcnow(),
                                 LEASE_TTL):
            raise LeaseLost(f"lease {LEASE_NAME!r} lost by {self.holder}")
