"""A lease row per job, so that of several instances sharing a database one runs it.

`acquire` is one atomic UPDATE that only matches an expired (or released) lease, or the
INSERT of a job's first row; both sides of a race cannot win: PostgreSQL re-checks the
UPDATE's condition after the other transaction commits, and the primary key refuses a
second INSERT; SQLite runs writers one at a time (BEGIN IMMEDIATE). A holder renews the
lease between units of work; a crashed holder's lease simply expires.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pso.db.models import JobLease

Maker = async_sessionmaker[AsyncSession]


async def acquire(session_maker: Maker, name: str, holder: str, now: datetime, ttl: timedelta,
                  *, not_run_on: date | None = None) -> bool:
    """Take the lease `name` until now + ttl. With `not_run_on`, only when the last
    complete daily run was before that day (the scheduled run happens once a day)."""
    free = or_(JobLease.expires_at.is_(None), JobLease.expires_at < now)
    if not_run_on is not None:
        free = and_(free, or_(JobLease.last_run_on.is_(None), JobLease.last_run_on < not_run_on))
    async with session_maker() as session, session.begin():
        taken = await session.execute(
            update(JobLease).where(JobLease.name == name, free)
            .values(holder=holder, expires_at=now + ttl, last_started_at=now)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]  # an UPDATE: a CursorResult
            return True
        if await session.scalar(select(JobLease.name).where(JobLease.name == name)):
            return False
        try:
            async with session.begin_nested():
                session.add(JobLease(name=name, holder=holder, expires_at=now + ttl,
                                     last_started_at=now))
        except IntegrityError:  # another instance inserted it first
            return False
        return True


async def renew(session_maker: Maker, name: str, holder: str, now: datetime,
                ttl: timedelta) -> bool:
    """Extend the lease; False when it is no longer ours (it expired and was taken)."""
    async with session_maker() as session, session.begin():
        result = await session.execute(
            update(JobLease).where(JobLease.name == name, JobLease.holder == holder)
            .values(expires_at=now + ttl)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]  # a CursorResult


async def release(session_maker: Maker, name: str, holder: str, now: datetime, *,
                  completed_day: date | None = None) -> None:
    values: dict[str, object] = {"holder": None, "expires_at": None, "last_finished_at": now}
    if completed_day is not None:
        values["last_run_on"] = completed_day
    async with session_maker() as session, session.begin():
        await session.execute(
            update(JobLease).where(JobLease.name == name, JobLease.holder == holder)
            .values(**values)
        )


async def state(session_maker: Maker, name: str) -> JobLease | None:
    async with session_maker() as session:
        return await session.get(JobLease, name)
