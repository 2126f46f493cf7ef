"""The admin's figures for /beheer: how many organisations, bodies and valid certificates
there are, what waits in the mail outbox, and when the daily jobs last ran (their lease row,
pso.jobs.lease: `last_run_on` is the last complete scheduled run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.clock import utcnow
from pso.db.models import Certificate, JobLease, Organization, OutboxMail, Party
from pso.db.models.jobs import LEASE_NAME
from pso.services.bodies import KIND as BODY_KIND
from pso.services.register import status_condition


@dataclass(frozen=True)
class Jobs:
    last_run_on: date | None  # the day of the last complete daily run
    last_started_at: datetime | None
    last_finished_at: datetime | None
    running: bool  # a live lease: an instance is at work now


@dataclass(frozen=True)
class Overview:
    organizations: int
    bodies: int
    valid_certificates: int
    mails_queued: int
    mails_failed: int
    jobs: Jobs | None  # None: the daily jobs never ran on this database


async def _count(session: AsyncSession, *conditions: ColumnElement[bool], of: Any) -> int:
    return await session.scalar(select(func.count(of)).where(*conditions)) or 0


async def overview(session: AsyncSession, day: date) -> Overview:
    lease = await session.get(JobLease, LEASE_NAME)
    jobs = None if lease is None else Jobs(
        lease.last_run_on, lease.last_started_at, lease.last_finished_at,
        lease.holder is not None and lease.expires_at is not None and lease.expires_at > utcnow())
    return Overview(
        organizations=await _count(session, of=Organization.id),
        bodies=await _count(session, Party.kind == BODY_KIND, of=Party.id),
        valid_certificates=await _count(session, status_condition("valid", day),
                                        of=Certificate.id),
        mails_queued=await _count(session, OutboxMail.status == "queued", of=OutboxMail.id),
        mails_failed=await _count(session, OutboxMail.status == "failed", of=OutboxMail.id),
        jobs=jobs,
    )
