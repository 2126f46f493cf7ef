"""Stored voucher PDFs follow the date (SPEC §5, issue 14): a voucher that expired gets its
PDF rendered once more, stamped VERLOPEN, and stored with its new SHA-256. One voucher per
transaction; a rerun finds nothing left to do."""

from __future__ import annotations

from sqlalchemy import select

from pso.db.models import Voucher, VoucherStatus
from pso.jobs.context import JobContext, log
from pso.services import voucher_pdf
from pso.services.voucher_status import status_on


async def run(ctx: JobContext) -> dict[str, int]:
    counts = {"restamped": 0}
    while True:
        async with ctx.session_maker() as session:
            due = await voucher_pdf.restamp_expired(session, ctx.day)
        if not due:
            break
        for voucher_id in due:
            async with ctx.session_maker() as session, session.begin():
                voucher = await session.scalar(
                    select(Voucher).where(Voucher.id == voucher_id).with_for_update(of=Voucher))
                if voucher is None or status_on(voucher, ctx.day) != VoucherStatus.EXPIRED:
                    continue
                await voucher_pdf.store(session, voucher, ctx.day)
                counts["restamped"] += 1
            await ctx.unit_done()
    log.info("voucher pdfs for %s: %s", ctx.day, counts)
    return counts
