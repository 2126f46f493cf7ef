"""Removes sign-in records nobody needs any more (the AVG: personal data no longer than
needed): failed and successful sign-in attempts, ended or expired browser sessions, used or
expired one-time links, each kept 30 days, and refused forms' pages after their hour. The audit log, which also names sign-ins, is
never touched. Rows go in batches, one transaction each; a rerun finds less or nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, select

from pso.db.base import utcnow
from pso.db.models import FORM_REPLY_LIFETIME, FormReply, LoginAttempt, OneTimeLink, WebSession
from pso.jobs.context import JobContext, log

# Throttling looks back 15 minutes (accounts.WINDOW); a month of attempts (e-mail address,
# client address, time) is left to look into an attack afterwards.
KEEP_LOGIN_ATTEMPTS = timedelta(days=30)
# An ended or expired session can never be used again; its address and browser stay a
# month for questions about who was signed in from where.
KEEP_SESSIONS = timedelta(days=30)
# A used or expired link answers "already used" or "expired" (not "unknown") for a month.
KEEP_LINKS = timedelta(days=30)
# Rows per transaction: short write transactions, also after a month of attacks.
BATCH = 1000


def _old_rows(now: datetime) -> dict[str, tuple[type, ColumnElement[bool]]]:
    sessions, links = now - KEEP_SESSIONS, now - KEEP_LINKS
    return {
        "login_attempts": (LoginAttempt, LoginAttempt.at < now - KEEP_LOGIN_ATTEMPTS),
        "sessions": (WebSession, or_(WebSession.ended_at < sessions,
                                     WebSession.expires_at < sessions)),
        "links": (OneTimeLink, or_(OneTimeLink.used_at < links, OneTimeLink.expires_at < links)),
        # A refused form's page with what was typed (post/redirect/get): useless after its
        # hour; the next replay removes old ones too, this catches the rest.
        "form_replies": (FormReply, FormReply.created_at < now - FORM_REPLY_LIFETIME),
    }


async def _remove(ctx: JobContext, model: type[LoginAttempt | WebSession | OneTimeLink | FormReply],
                  old: ColumnElement[bool]) -> int:
    removed = 0
    while True:
        async with ctx.session_maker() as session, session.begin():
            ids = list(await session.scalars(
                select(model.id).where(old).order_by(model.id).limit(BATCH)))
            if ids:
                await session.execute(delete(model).where(model.id.in_(ids)))
        removed += len(ids)
        await ctx.unit_done()
        if len(ids) < BATCH:
            return removed


async def run(ctx: JobContext) -> dict[str, int]:
    counts = {name: await _remove(ctx, model, old)
              for name, (model, old) in _old_rows(utcnow()).items()}
    log.info("sign-in records removed: %s", counts)
    return counts
