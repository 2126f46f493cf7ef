"""Scheduled work (SPEC §7.5): certificate expiry reminders, voucher expiry, contract
monitoring (pso.jobs.monitoring), social-return reminders and warnings
(pso.jobs.social_return), the stamp on expired vouchers' PDFs (pso.jobs.voucher_pdfs)
and removing old sign-in records (pso.jobs.sign_in_records).

`run_jobs` runs every job for one day under the database lease "daily" (pso.jobs.lease),
so of several instances sharing a database exactly one works at a time. Each unit of work
(one certificate's reminder, one voucher's expiry) commits its record together with its
effect (audit entry, queued mails): a run that crashes half-way leaves finished units
finished, and the next run skips them and does the rest.

`pso serve` runs them daily from PSO_JOBS_HOUR (Europe/Amsterdam) through `Scheduler`;
`pso jobs run [--date]` runs them on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pso import clock
from pso.db.base import utcnow
from pso.db.models.jobs import LEASE_NAME
from pso.jobs import (
    lease,
    monitoring,
    reminders,
    sign_in_records,
    social_return,
    voucher_pdfs,
    vouchers,
)
from pso.jobs.context import LEASE_TTL, JobContext, LeaseLost, log
from pso.mail.sender import new_holder
from pso.settings import Settings

Job = Callable[[JobContext], Awaitable[dict[str, int]]]
# In order; each is safe to rerun (it skips what is done).
JOBS: list[tuple[str, Job]] = [
    ("certificate_reminders", lambda ctx: reminders.run(ctx)),
    ("voucher_expiry", lambda ctx: vouchers.run(ctx)),
    ("contract_monitoring", lambda ctx: monitoring.run(ctx)),
    ("social_return_notices", lambda ctx: social_return.run(ctx)),
    ("voucher_pdfs", lambda ctx: voucher_pdfs.run(ctx)),
    ("sign_in_cleanup", lambda ctx: sign_in_records.run(ctx)),
]


@dataclass
class RunReport:
    day: date
    ran: bool  # False: another instance holds the lease (or the day was done already)
    results: dict[str, dict[str, int]] = field(default_factory=dict)


async def run_jobs(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings, *,
    day: date | None = None, scheduled: bool = False, holder: str | None = None,
    now: datetime | None = None,
) -> RunReport:
    """Run every job for `day` (default: today) if this instance gets the lease.

    `scheduled` is the daily run: it happens only if no complete daily run for `day`
    exists yet, and marks the day done at the end. `now` (tests) is the moment the lease
    is judged at: a crashed holder's lease counts as expired after LEASE_TTL."""
    day = day or clock.today()
    holder = holder or new_holder()
    got = await lease.acquire(session_maker, LEASE_NAME, holder, now or utcnow(), LEASE_TTL,
                              not_run_on=day if scheduled else None)
    if not got:
        return RunReport(day=day, ran=False)
    ctx = JobContext(session_maker=session_maker, settings=settings, day=day, holder=holder)
    report = RunReport(day=day, ran=True)
    completed = False
    try:
        for name, job in JOBS:
            report.results[name] = await job(ctx)
        completed = True
    finally:
        # A lost lease is the new holder's; otherwise give it back (an error leaves the
        # day unfinished, so the scheduler tries again on its next round).
        with contextlib.suppress(Exception):
            await lease.release(session_maker, LEASE_NAME, holder, utcnow(),
                                completed_day=day if (completed and scheduled) else None)
    return report


class Scheduler:
    """The daily run inside `pso serve`: from PSO_JOBS_HOUR on, every instance checks once a
    minute whether today's run is done; the lease lets exactly one of them do it."""

    POLL_SECONDS = 60.0

    def __init__(self, session_maker: async_sessionmaker[AsyncSession], settings: Settings):
        self.session_maker, self.settings = session_maker, settings
        self.holder = new_holder()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._done_for: date | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="pso-jobs")

    async def stop(self, grace: float = 15.0) -> None:
        self._stop.set()
        if self._task is not None:
            # A unit of work cut short rolls back as a whole; the next run redoes it.
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, grace)

    async def tick(self) -> RunReport | None:
        day = clock.today()
        if clock.now().hour < self.settings.jobs_hour or self._done_for == day:
            return None
        report = await run_jobs(self.session_maker, self.settings, day=day, scheduled=True,
                                holder=self.holder)
        if report.ran:
            self._done_for = day
            log.info("daily jobs for %s done: %s", day, report.results)
        else:
            held = await lease.state(self.session_maker, LEASE_NAME)
            if held is not None and held.last_run_on is not None and held.last_run_on >= day:
                self._done_for = day  # another instance did it
        return report

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.tick()
            except LeaseLost as exc:
                log.warning("%s", exc)
            except Exception:  # noqa: BLE001  (logged; the service keeps running)
                log.exception("daily jobs failed; trying again in a minute")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.POLL_SECONDS)


__all__ = ["JOBS", "LeaseLost", "RunReport", "Scheduler", "run_jobs"]
