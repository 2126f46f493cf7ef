"""Certificate expiry reminders (SPEC §7.5): three months and one month before validUntil,
to the accounts of the certificate's applying organisation; each (certificate, kind)
once, recorded in the same transaction as the queued mails.

Only certificates valid on the day are reminded (not suspended, revoked, superseded or
expired); a certificate reinstated inside its window is reminded on the next run. Each
certificate is its own reminder, so a PSO 30+ certificate gets one beside its ladder
certificate."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from certificates.formatting import rung_label
from certificates.lifecycle import add_months
from pso.audit import record
from pso.auth import SYSTEM
from pso.db.models import Certificate, CertificateReminder
from pso.jobs.context import JobContext, log
from pso.mail import queue_mail
from pso.services.recipients import applicant_recipients
from pso.services.register import status_condition

KINDS = {"3m": 3, "1m": 1}


def window(kind: str, day: date) -> tuple[date, date]:
    """validUntil dates that get reminder `kind` on `day` (inclusive). Inside one month only
    the one-month reminder is due: a three-month reminder that was missed is not sent late."""
    if kind == "1m":
        return day, add_months(day, 1)
    return add_months(day, 1) + timedelta(days=1), add_months(day, 3)


async def due(ctx: JobContext, kind: str) -> list[int]:
    """Certificates valid on the day, inside the kind's window, not yet reminded of it."""
    done = exists().where(CertificateReminder.certificate_id == Certificate.id,
                          CertificateReminder.kind == kind)
    async with ctx.session_maker() as session:
        ids = await session.scalars(
            select(Certificate.id)
            .where(Certificate.valid_until.between(*window(kind, ctx.day)),
                   status_condition("valid", ctx.day), ~done)
            .order_by(Certificate.valid_until, Certificate.id)
        )
        return list(ids)


async def remind(ctx: JobContext, certificate_id: int, kind: str) -> int | None:
    """One unit of work: the reminder record, the mails and the audit entry commit
    together. Returns the number of mails, or None when another run did it already."""
    try:
        async with ctx.session_maker() as session, session.begin():
            # The record first: a concurrent run's identical insert waits, then fails.
            reminder = CertificateReminder(certificate_id=certificate_id, kind=kind,
                                           run_on=ctx.day, recipients=0)
            session.add(reminder)
            await session.flush()
            certificate = await session.get(Certificate, certificate_id)
            assert certificate is not None
            org = certificate.organization
            people = await applicant_recipients(session, org.kvk)
            kind_label = ("PSO 30+" if certificate.kind == "pso30plus"
                          else f"Prestatieladder, {rung_label(certificate.rung)}")
            for email, name in people:
                await queue_mail(session, to=email, template="certificate_expiry", context={
                    "name": name, "organization": org.name, "kvk": org.kvk,
                    "number": certificate.number, "kind_label": kind_label,
                    "months": KINDS[kind], "valid_until": certificate.valid_until,
                    "register_link": f"{ctx.public_url}/register/{certificate.number}",
                })
            reminder.recipients = len(people)
            await record(session, SYSTEM, "certificate.expiry_reminder", "certificate",
                         certificate.number,
                         {"kind": kind, "valid_until": certificate.valid_until.isoformat(),
                          "recipients": len(people)})
    except IntegrityError:
        return None
    return len(people)


async def run(ctx: JobContext) -> dict[str, int]:
    counts = {"reminders": 0, "mails": 0}
    for kind in ("1m", "3m"):
        for certificate_id in await due(ctx, kind):
            mails = await remind(ctx, certificate_id, kind)
            if mails is not None:
                counts["reminders"] += 1
                counts["mails"] += mails
            await ctx.unit_done()
    log.info("certificate reminders for %s: %s", ctx.day, counts)
    return counts
