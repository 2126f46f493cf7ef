"""Social-return mails (SPEC §8.2, issue 28 item 6), daily under the job lease:

- `quarterly`: in each quarter after the one the period starts in (up to the quarter after
  its end), the contractor is reminded once to report the past quarter's realisations;
- `waiting`: the buyer hears once a week (ISO week) while lines wait for review;
- `shortfall`: from three months before the end, the buyer and the contractor are warned
  once when the projection (`sroi.progress`) falls short of what remains to be realised.

One contract and kind per transaction: the record (`social_return_notices`, unique per
contract, kind and period), the queued mails and the audit entry commit together, so a
rerun skips what was sent and a crash leaves no half-sent notice.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.lifecycle import add_months
from pso.audit import record
from pso.auth import SYSTEM
from pso.db.models import (
    SocialReturnLine,
    SocialReturnNotice,
    SocialReturnTerms,
    Tender,
    TenderAward,
)
from pso.jobs.context import JobContext, log
from pso.mail import queue_mail
from pso.services import social_return_lines as lines
from pso.services.recipients import applicant_recipients, party_recipients
from sroi.progress import quarters_of

KINDS = ("quarterly", "waiting", "shortfall")


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def due_key(kind: str, terms: SocialReturnTerms, day: date, waiting: int) -> str | None:
    """The period a notice of `kind` is due for on `day`, or None when none is."""
    start, end = terms.period_start, terms.period_end
    if kind == "quarterly":
        begun = quarter_start(day)
        if begun <= start or begun > end + timedelta(days=1):
            return None
        return quarters_of((begun, begun))[0][0]
    if kind == "waiting":
        if not waiting or day < start:
            return None
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if add_months(end, -3) <= day <= end:
        return "end"
    return None


async def _contracts(ctx: JobContext) -> list[int]:
    """Tenders with terms whose period (plus a quarter to report the last one) is running."""
    async with ctx.session_maker() as session:
        rows = await session.execute(select(SocialReturnTerms.tender_id,
                                            SocialReturnTerms.period_start,
                                            SocialReturnTerms.period_end)
                                     .order_by(SocialReturnTerms.tender_id))
        return [tid for tid, start, end in rows
                if start - timedelta(days=1) <= ctx.day <= add_months(end, 3)]


async def _waiting(session: AsyncSession, tender_id: int) -> int:
    return await session.scalar(select(func.count()).select_from(SocialReturnLine).where(
        SocialReturnLine.tender_id == tender_id, SocialReturnLine.status == "submitted")) or 0


async def notify(ctx: JobContext, tender_id: int, kind: str) -> int | None:
    """One unit of work; the number of mails, or None when nothing was due or it was sent."""
    try:
        async with ctx.session_maker() as session, session.begin():
            terms = await session.scalar(select(SocialReturnTerms).where(
                SocialReturnTerms.tender_id == tender_id))
            tender = await session.get(Tender, tender_id)
            award = await session.get(TenderAward, terms.award_id) if terms else None
            if terms is None or tender is None or award is None:
                return None
            waiting = await _waiting(session, tender_id) if kind == "waiting" else 0
            key = due_key(kind, terms, ctx.day, waiting)
            if key is None:
                return None
            rows = await lines.lines_of(session, tender_id)
            progress = lines.progress_of(terms, rows, ctx.day)
            if kind == "shortfall" and (progress.projection is None or not progress.shortfall):
                return None
            # The record first: a concurrent run's identical insert waits, then fails.
            notice = SocialReturnNotice(tender_id=tender_id, kind=kind, period_key=key,
                                        run_on=ctx.day, recipients=0)
            session.add(notice)
            await session.flush()
            buyer = await party_recipients(session, tender.party_id)
            contractor = await applicant_recipients(session, award.kvk)
            people = {"quarterly": contractor, "waiting": buyer,
                      "shortfall": buyer + contractor}[kind]
            base = ctx.public_url
            for email, name in people:
                link = (f"{base}/mijn/social-return" if (email, name) in contractor
                        and kind != "waiting" else
                        f"{base}/inkoop/aanbestedingen/{tender_id}/social-return")
                await queue_mail(session, to=email, template=f"social_return_{kind}", context={
                    "name": name, "tender": tender.title, "reference": tender.reference,
                    "bidder": award.bidder, "kvk": award.kvk, "quarter": key,
                    "waiting": waiting, "period_end": terms.period_end,
                    "target": progress.target, "realised": progress.realised,
                    "projection": progress.projection, "shortfall": progress.shortfall,
                    "link": link,
                })
            notice.recipients = len(people)
            await record(session, SYSTEM, f"social_return.notice_{kind}", "tender", tender_id,
                         {"period": key, "recipients": len(people)})
    except IntegrityError:
        return None
    return len(people)


async def run(ctx: JobContext) -> dict[str, int]:
    counts = {"notices": 0, "mails": 0}
    for tender_id in await _contracts(ctx):
        for kind in KINDS:
            mails = await notify(ctx, tender_id, kind)
            if mails is not None:
                counts["notices"] += 1
                counts["mails"] += mails
        await ctx.unit_done()
    log.info("social-return notices for %s: %s", ctx.day, counts)
    return counts
