"""The CLI's side of scheduled work: `pso jobs run [--date]`."""

from __future__ import annotations

from datetime import date

from pso.jobs import RunReport, run_jobs
from pso.mail.admin import sessions
from pso.mail.sender import SendReport, send_pending
from pso.settings import Settings


async def run_now(settings: Settings, day: date | None) -> tuple[RunReport, SendReport | None]:
    """Run the jobs; with PSO_SMTP_URL also deliver what is due in the outbox (theirs or
    anyone's), so `pso jobs run` from cron works without a running server."""
    async with sessions(settings) as maker:
        report = await run_jobs(maker, settings, day=day)
        sent = await send_pending(maker, settings) if settings.smtp_url else None
        return report, sent
