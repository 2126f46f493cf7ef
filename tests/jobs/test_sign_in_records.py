"""The daily clean-up of sign-in records: attempts, sessions and one-time links older than
30 days go, recent ones and the audit log stay; a rerun removes nothing and fails nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pso import clock
from pso.audit import record
from pso.auth import SYSTEM
from pso.db.base import utcnow
from pso.db.models import (
    Account,
    AuditEvent,
    FormReply,
    LoginAttempt,
    OneTimeLink,
    WebSession,
)
from pso.jobs import run_jobs, sign_in_records
from pso.services import accounts
from tests.jobs.data import DAY
from tests.jobs.test_jobs_processes import environment, pso

pytestmark = pytest.mark.anyio

DAYS = timedelta(days=1)
HOURS = timedelta(hours=1)


async def old_and_recent_rows(session_maker) -> None:
    """Named rows either side of the 30 days; the 'old-' ones are to go."""
    now = utcnow()
    async with session_maker() as session, session.begin():
        party = await accounts.ensure_party(session, "admin", "admin")
        account = Account(email="beheer@example.nl", name="Beheer", role="admin",
                          party_id=party.id)
        session.add(account)
        await session.flush()
        session.add_all([
            LoginAttempt(email="old-attempt", client_address="a", at=now - 31 * DAYS),
            LoginAttempt(email="recent-attempt", client_address="a", at=now - 29 * DAYS),
            LoginAttempt(email="attempt-now", client_address="a", success=True, at=now)])

        def web_session(name: str, started, ended=None) -> WebSession:
            return WebSession(id_hash=name, account_id=account.id, created_at=started,
                              last_seen_at=started, expires_at=started + 8 * HOURS,
                              ended_at=ended)

        session.add_all([
            web_session("old-ended", now - 31 * DAYS - HOURS, ended=now - 31 * DAYS),
            web_session("old-expired", now - 31 * DAYS - 8 * HOURS),
            web_session("recent-ended", now - 29 * DAYS - HOURS, ended=now - 29 * DAYS),
            web_session("recent-expired", now - 29 * DAYS - 8 * HOURS),
            web_session("live", now - HOURS)])

        def link(name: str, created, valid, used=None) -> OneTimeLink:
            return OneTimeLink(token_hash=name, purpose="invite" if valid > DAYS else "reset",
                               account_id=account.id, created_at=created,
                               expires_at=created + valid, used_at=used)

        session.add_all([
            link("old-used-reset", now - 31 * DAYS - HOURS, HOURS, used=now - 31 * DAYS),
            link("old-expired-reset", now - 31 * DAYS - HOURS, HOURS),
            # Used 34 days ago, though it would have run out only 28 days ago.
            link("old-used-invite", now - 35 * DAYS, 7 * DAYS, used=now - 34 * DAYS),
            link("recent-expired-invite", now - 36 * DAYS, 7 * DAYS),
            link("recent-used-reset", now - 29 * DAYS - HOURS, HOURS, used=now - 29 * DAYS),
            link("open-invite", now - DAYS, 7 * DAYS)])

        def reply(name: str, created) -> FormReply:
            return FormReply(token_hash=name, basis_hash="b", path="/mijn", status=400,
                             html="<p>getypte gegevens</p>", created_at=created)

        # A refused form's page (post/redirect/get) is of no use after an hour.
        session.add_all([reply("old-reply", now - 2 * HOURS), reply("new-reply", now)])
    with clock.moved(-40 * DAYS):
        async with session_maker() as session, session.begin():
            await record(session, SYSTEM, "account.signed_in", "account", "1", {})


async def left(session_maker) -> dict[str, set[str]]:
    async with session_maker() as session:
        return {
            "attempts": set(await session.scalars(select(LoginAttempt.email))),
            "sessions": set(await session.scalars(select(WebSession.id_hash))),
            "links": set(await session.scalars(select(OneTimeLink.token_hash))),
            "replies": set(await session.scalars(select(FormReply.token_hash))),
            "audit": set(await session.scalars(select(AuditEvent.action))),
        }


async def test_old_sign_in_records_go_recent_ones_stay(session_maker, settings) -> None:
    await old_and_recent_rows(session_maker)
    first = await run_jobs(session_maker, settings, day=DAY)
    assert first.ran
    assert first.results["sign_in_cleanup"] == {"login_attempts": 1, "sessions": 2, "links": 3,
                                                "form_replies": 1}
    kept = {
        "attempts": {"recent-attempt", "attempt-now"},
        "sessions": {"recent-ended", "recent-expired", "live"},
        "links": {"recent-expired-invite", "recent-used-reset", "open-invite"},
        "replies": {"new-reply"},
        "audit": {"account.signed_in"},  # the audit log is never cleaned
    }
    assert await left(session_maker) == kept
    again = await run_jobs(session_maker, settings, day=DAY)
    assert again.results["sign_in_cleanup"] == {"login_attempts": 0, "sessions": 0, "links": 0,
                                                "form_replies": 0}
    assert await left(session_maker) == kept


async def test_many_old_attempts_go_in_batches(session_maker, settings, monkeypatch) -> None:
    monkeypatch.setattr(sign_in_records, "BATCH", 2)  # 2 + 2 + 1: three transactions
    async with session_maker() as session, session.begin():
        session.add_all(LoginAttempt(email=f"x{i}", client_address="a",
                                     at=utcnow() - 40 * DAYS) for i in range(5))
    report = await run_jobs(session_maker, settings, day=DAY)
    assert report.results["sign_in_cleanup"]["login_attempts"] == 5
    async with session_maker() as session:
        assert await session.scalar(select(func.count()).select_from(LoginAttempt)) == 0


async def test_jobs_run_shows_what_it_removed(database_url, session_maker) -> None:
    await old_and_recent_rows(session_maker)
    env = environment(database_url)
    for expected in ("login_attempts 1, sessions 2, links 3",
                     "login_attempts 0, sessions 0, links 0"):
        done = pso("jobs", "run", env=env)
        assert done.returncode == 0, done.stderr
        assert f"sign_in_cleanup: {expected}" in done.stdout
