"""Voucher expiry (SPEC §5, §7.5): a voucher that was not redeemed by its last valid day is
expired from the next day on (the status is derived from the date, nothing changes in the
voucher row). This job notices each one once: an audit entry and a mail to the holder's
accounts, recorded in one transaction."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from pso.audit import record
from pso.auth import SYSTEM
from pso.db.models import Voucher, VoucherExpiry
from pso.jobs.context import JobContext, log
from pso.jobs.recipients import applicant_recipients
from pso.mail import queue_mail
from pso.voucher_codes import display


async def due(ctx: JobContext) -> list[int]:
    noticed = exists().where(VoucherExpiry.voucher_id == Voucher.id)
    async with ctx.session_maker() as session:
        ids = await session.scalars(
            select(Voucher.id)
            .where(Voucher.status == "issued", Voucher.expires_on < ctx.day, ~noticed)
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
            org, scheme, code = voucher.organization, voucher.scheme, display(voucher.code)
            people = await applicant_recipients(session, org.kvk)
            for email, name in people:
                await queue_mail(session, to=email, template="voucher_expired", context={
                    "name": name, "organization": org.name, "kvk": org.kvk, "code": code,
                    "scheme": scheme.title, "amount": voucher.amount,
                    "expires_on": voucher.expires_on,
                    "voucher_link": f"{ctx.public_url}/vouchers/{code}",
                })
            expiry.recipients = len(people)
            await record(session, SYSTEM, "voucher.expired", "voucher", code,
                         {"scheme_id": scheme.id, "kvk": org.kvk,
                          "expires_on": voucher.expires_on.isoformat(),
                          "amount": str(voucher.amount), "recipients": len(people)})
    except IntegrityError:
        return None
    return len(people)


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
