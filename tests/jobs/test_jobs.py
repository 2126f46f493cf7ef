"""Scheduled work in-process: reminder windows, once per certificate and kind, voucher
expiry, the lease, and the daily scheduler's once-a-day rule."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from pso import clock, mail
from pso.db.base import utcnow
from pso.db.models import (
    Account,
    AuditEvent,
    Certificate,
    CertificateReminder,
    OutboxMail,
    VoucherExpiry,
)
from pso.db.models.jobs import LEASE_NAME
from pso.jobs import Scheduler, lease, reminders, run_jobs
from pso.jobs.context import LEASE_TTL
from tests.jobs import data
from tests.jobs.data import DAY

pytestmark = pytest.mark.anyio


async def outbox(session_maker) -> list[OutboxMail]:
    async with session_maker() as session:
        return list(await session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


async def reminder_rows(session_maker) -> set[tuple[str, str]]:
    async with session_maker() as session:
        rows = await session.execute(
            select(Certificate.number, CertificateReminder.kind)
            .join(Certificate, Certificate.id == CertificateReminder.certificate_id))
        return {tuple(row) for row in rows}


def test_windows() -> None:
    assert reminders.window("1m", date(2026, 3, 2)) == (date(2026, 3, 2), date(2026, 4, 2))
    assert reminders.window("3m", date(2026, 3, 2)) == (date(2026, 4, 3), date(2026, 6, 2))
    assert reminders.window("3m", date(2026, 11, 30)) == (date(2026, 12, 31), date(2027, 2, 28))


async def test_reminders_three_months_then_one_month_each_once(session_maker, settings) -> None:
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "12345678", name="Bakkerij De Korf")
        quiet = await data.organization(session, "87654321", people=0)
        await data.certificate(session, org, "PSO-2024-000001", date(2026, 5, 15))  # 3m
        await data.certificate(session, org, "PSO-2024-000002", date(2026, 3, 20))  # 1m
        await data.certificate(session, org, "PSO-2024-000003", date(2026, 6, 10))  # later
        await data.certificate(session, org, "PSO-2024-000004", date(2026, 3, 1))   # expired
        await data.certificate(session, org, "PSO-2024-000005", date(2026, 4, 1),
                               revoked_on=date(2026, 1, 5))
        await data.certificate(session, quiet, "PSO-2024-000006", date(2026, 5, 1))
    first = await run_jobs(session_maker, settings, day=DAY)
    assert first.ran
    assert first.results["certificate_reminders"] == {"reminders": 3, "mails": 4}
    assert await reminder_rows(session_maker) == {
        ("PSO-2024-000001", "3m"), ("PSO-2024-000002", "1m"), ("PSO-2024-000006", "3m")}
    mails = await outbox(session_maker)
    assert sorted((m.to_address, m.subject) for m in mails) == [
        ("p0.12345678@example.nl", "Uw PSO-certificaat PSO-2024-000001 verloopt op 15 mei 2026"),
        ("p0.12345678@example.nl", "Uw PSO-certificaat PSO-2024-000002 verloopt op 20 maart 2026"),
        ("p1.12345678@example.nl", "Uw PSO-certificaat PSO-2024-000001 verloopt op 15 mei 2026"),
        ("p1.12345678@example.nl", "Uw PSO-certificaat PSO-2024-000002 verloopt op 20 maart 2026"),
    ]
    three = next(m for m in mails if "000001" in m.subject)
    assert "Beste Persoon" in three.text_body and "over drie maanden" in three.text_body
    assert "Bakkerij De Korf (KvK 12345678)" in three.text_body
    assert f"{settings.public_url}/register/PSO-2024-000001" in three.text_body
    one = next(m for m in mails if "000002" in m.subject)
    assert "over een maand" in one.text_body
    # The same day again, and the next day: nothing new.
    for day in (DAY, DAY + timedelta(days=1)):
        again = await run_jobs(session_maker, settings, day=day)
        assert again.results["certificate_reminders"] == {"reminders": 0, "mails": 0}
    assert len(await outbox(session_maker)) == 4
    # Seven weeks later the first certificate is inside its last month.
    later = await run_jobs(session_maker, settings, day=date(2026, 4, 20))
    assert later.results["certificate_reminders"] == {"reminders": 3, "mails": 4}
    assert ("PSO-2024-000001", "1m") in await reminder_rows(session_maker)
    assert ("PSO-2024-000003", "3m") in await reminder_rows(session_maker)
    async with session_maker() as session:
        audited = list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "certificate.expiry_reminder")))
    assert len(audited) == 6
    assert {a.actor_name for a in audited} == {"systeem"}


async def test_revoked_account_gets_no_reminder(session_maker, settings) -> None:
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "12345678")
        await data.certificate(session, org, "PSO-2024-000001", DAY + timedelta(days=70))
        gone = await session.scalar(
            select(Account).where(Account.email == "p1.12345678@example.nl"))
        gone.revoked_at = utcnow()
    await run_jobs(session_maker, settings, day=DAY)
    assert [m.to_address for m in await outbox(session_maker)] == ["p0.12345678@example.nl"]


async def test_expired_vouchers_are_noticed_once(session_maker, settings) -> None:
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "12345678")
        await data.voucher(session, org, "AAAABBBBCCCC", DAY - timedelta(days=1))    # expired
        await data.voucher(session, org, "DDDDEEEEFFFF", DAY)                        # last day
        await data.voucher(session, org, "GGGGHHHHJJJJ", DAY - timedelta(days=9),
                           status="redeemed")
    report = await run_jobs(session_maker, settings, day=DAY)
    assert report.results["voucher_expiry"] == {"expired": 1, "mails": 2}
    mails = await outbox(session_maker)
    assert {m.subject for m in mails} == {"Voucher AAAA-BBBB-CCCC is verlopen"}
    assert "1 maart 2026" in mails[0].text_body and "€ 500,00" in mails[0].text_body
    assert f"{settings.public_url}/vouchers/AAAA-BBBB-CCCC" in mails[0].text_body
    await run_jobs(session_maker, settings, day=DAY + timedelta(days=1))  # DDDD expires now
    async with session_maker() as session:
        assert len(list(await session.scalars(select(VoucherExpiry)))) == 2
        events = list(await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "voucher.expired")))
    assert sorted(e.entity_id for e in events) == ["AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF"]
    await run_jobs(session_maker, settings, day=DAY + timedelta(days=2))
    assert len(await outbox(session_maker)) == 4


async def test_the_lease_lets_one_holder_run(session_maker, settings) -> None:
    now = utcnow()
    assert await lease.acquire(session_maker, LEASE_NAME, "a", now, LEASE_TTL)
    assert not await lease.acquire(session_maker, LEASE_NAME, "b", now, LEASE_TTL)
    busy = await run_jobs(session_maker, settings, day=DAY, holder="b", now=now)
    assert not busy.ran
    # "a" died without releasing: after the lease time anyone may take over.
    taken = await run_jobs(session_maker, settings, day=DAY, holder="b",
                           now=now + LEASE_TTL + timedelta(seconds=1))
    assert taken.ran
    assert not await lease.renew(session_maker, LEASE_NAME, "a", now, LEASE_TTL)
    state = await lease.state(session_maker, LEASE_NAME)
    assert state.holder is None and state.expires_at is None
    assert state.last_run_on is None  # an on-demand run does not count as the daily one


async def test_scheduler_runs_once_a_day_from_its_hour(
    session_maker, settings, fixed_today
) -> None:
    await data.reminder_fixture(session_maker)
    fixed_today(DAY)
    late = Scheduler(session_maker, dataclasses.replace(settings, jobs_hour=23))
    other = Scheduler(session_maker, dataclasses.replace(settings, jobs_hour=0))
    with clock.stopped() as moment:
        evening = datetime.combine(moment.astimezone(clock.AMSTERDAM).date(), time(22, 59),
                                   clock.AMSTERDAM)
        with clock.moved(evening - moment):  # 22:59 in Amsterdam: before its hour
            assert await late.tick() is None
            assert await outbox(session_maker) == []
        with clock.moved(evening - moment + timedelta(minutes=1)):  # 23:00: its hour
            report = await late.tick()
            assert report.ran and report.results["certificate_reminders"]["mails"] == 2
            assert (await lease.state(session_maker, LEASE_NAME)).last_run_on == DAY
            assert not (await other.tick()).ran   # the day is done: the other instance skips
            assert await other.tick() is None     # ... and remembers that
            assert await late.tick() is None
            fixed_today(DAY + timedelta(days=1))
            assert (await other.tick()).ran       # a new day, a new run (nothing new to send)
            assert len(await outbox(session_maker)) == 2


async def test_reminders_go_out_through_smtp(session_maker, settings, mail_server) -> None:
    await data.reminder_fixture(session_maker, certificates=2)
    await run_jobs(session_maker, settings, day=DAY)
    settings = dataclasses.replace(settings, smtp_url=mail_server.url)
    assert (await mail.send_pending(session_maker, settings)).sent == 4
    assert sorted(m["To"] for m in mail_server.messages) == [
        "p0.10000000@example.nl", "p0.10000001@example.nl",
        "p1.10000000@example.nl", "p1.10000001@example.nl"]
    message = mail_server.messages[0]
    assert "verloopt op 1 mei 2026" in message["Subject"]
    assert "over drie maanden" in mail_server.text(message)
    assert "<strong>over drie maanden</strong>" in mail_server.html(message)


async def test_a_suspended_certificate_is_reminded_once_reinstated(session_maker, settings) -> None:
    from pso.db.models import Suspension

    async with session_maker() as session, session.begin():
        org = await data.organization(session, "12345678")
        cert = await data.certificate(session, org, "PSO-2024-000001", DAY + timedelta(days=70))
        session.add(Suspension(certificate_id=cert.id, start=DAY - timedelta(days=3)))
    suspended = await run_jobs(session_maker, settings, day=DAY)
    assert suspended.results["certificate_reminders"]["reminders"] == 0
    async with session_maker() as session, session.begin():
        period = await session.scalar(select(Suspension))
        period.end = DAY + timedelta(days=1)
    reinstated = await run_jobs(session_maker, settings, day=DAY + timedelta(days=1))
    assert reinstated.results["certificate_reminders"] == {"reminders": 1, "mails": 2}
