"""Voucher expiry (SPEC §5, §7.5): a voucher that was not redeemed by its last valid day is
expired from the next day on (the status is derived from the date, nothing changes in the
voucher row). This job notices each one once: an audit entry and a mail to the holder's
accounts, recorded in one transaction."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from pso.audit import record
from pso.auth import SYSTEM
from pso.db.models import Voucher, VoucherExpiry, VoucherStatus
from pso.jobs.context import JobContext, log
from pso.services import voucher_mail
from pso.voucher_codes import display


async def due(ctx: JobContext) -> list[int]:
    noticed = exists().where(VoucherExpiry.voucher_id == Voucher.id)
    async with ctx.session_maker() as session:
        ids = await session.scalars(
            select(Voucher.id)
            .where(Voucher.status == VoucherStatus.ISSUED, Voucher.expires_on < ctx.day, ~noticed)
            .order_by(Voucher.expires_on, Voucher.id)
        )
        return list(ids)


async def notice(ctx: JobContext, voucher_id: int) -> int | None:
    """One unit: record, audit entry and mails together; None if already noticed."""
    try:
        async with ctx.session_maker() as session, session.begin():
            expiry = VoucherExpiry(voucher_id=voucher_id, run_on=ctx.day, recipients=0)
            session.add(expiry)
            await session.flush()
            voucher = await session.get(Voucher, voucher_id)
            assert voucher is not None
            mails = await voucher_mail.tell_holder(session, voucher, "voucher_expired",
                                                   ctx.public_url)
            expiry.recipients = mails
            await record(session, SYSTEM, "voucher.expired", "voucher", display(voucher.code),
                         {"scheme_id": voucher.scheme_id, "kvk": voucher.organization.kvk,
                          "expires_on": voucher.expires_on.isoformat(),
                          "amount": str(voucher.amount), "recipients": mails})
    except IntegrityError:
        return None
    return mails


async def run(ctx: JobContext) -> dict[str, int]:
    counts = {"expired": 0, "mails": 0}
    for voucher_id in await due(ctx):
        mails = await notice(ctx, voucher_id)
        if mails is not None:
            counts["expired"] += 1
            counts["mails"] += mails
        await ctx.unit_done()
    log.info("voucher expiry for %s: %s", ctx.day, counts)
    return counts
