"""Contract monitoring (SPEC §7.4, §7.5): every contract running on the day gets its daily
look at the winner's certificates (pso.services.monitoring holds the rules). One award per
transaction: its check, new events, mails and audit entries commit together; events are
recorded once per certificate and kind, so a rerun on the same day mails nothing twice."""

from __future__ import annotations

from pso.jobs.context import JobContext, log
from pso.services import monitoring


async def run(ctx: JobContext) -> dict[str, int]:
    counts = await monitoring.run_checks(ctx.session_maker, ctx.day, ctx.unit_done)
    log.info("contract monitoring for %s: %s", ctx.day, counts)
    return counts
