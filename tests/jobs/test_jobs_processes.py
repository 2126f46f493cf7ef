"""Scheduled work as users run it: `pso jobs run` and `pso mail` on one database (in this
process, tests/cli.py, where the command itself is the subject), two real processes at the
same time, one killed half-way, and two servers running the daily jobs; every reminder
reaches the real SMTP server exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pso.db.base import utcnow
from pso.db.models import AuditEvent, CertificateReminder, JobLease, OutboxMail
from pso.jobs import run_jobs
from pso.jobs.context import LEASE_TTL
from tests.cli import run_cli
from tests.jobs import data
from tests.jobs.data import DAY
from tests.servers import start_server

pytestmark = pytest.mark.anyio

PSO = str(Path(sys.executable).parent / "pso")
ROOT = Path(__file__).resolve().parent.parent.parent


def environment(database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "PSO_ENV": "test", "PSO_DATABASE_URL": database_url,
            "PSO_TODAY": DAY.isoformat(), "PSO_LOG_LEVEL": "WARNING", **extra}


def pso(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PSO, *args], capture_output=True, text=True, env=env, timeout=120,
                          check=False, cwd=ROOT)


def python(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def at_once(n: int, argv: list[str], env: dict[str, str]) -> tuple[list[int], list[tuple]]:
    """Start `n` processes together, wait for all; their exit codes and outputs."""
    processes = [subprocess.Popen(argv, env=env, cwd=ROOT, text=True, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for _ in range(n)]
    outputs = [p.communicate(timeout=120) for p in processes]
    return [p.returncode for p in processes], outputs


async def count(session_maker, model) -> int:
    async with session_maker() as session:
        return await session.scalar(select(func.count()).select_from(model))


def assert_each_once(mail_server, expected: set[tuple[str, str]]) -> None:
    """Every (recipient, subject) arrived, and none twice."""
    arrived = Counter((str(m["To"]), str(m["Subject"])) for m in mail_server.messages)
    assert set(arrived) == expected
    assert max(arrived.values()) == 1, arrived.most_common(3)


def expected_mails(numbers: list[str]) -> set[tuple[str, str]]:
    until = "verloopt op 1 mei 2026"
    return {(f"p{p}.{10000000 + i}@example.nl", f"Uw PSO-certificaat {n} {until}")
            for i, n in enumerate(numbers) for p in range(2)}


async def test_jobs_run_sends_the_reminder_once(database_url, session_maker, mail_server) -> None:
    numbers = await data.reminder_fixture(session_maker)
    env = environment(database_url, PSO_SMTP_URL=mail_server.url)
    first = run_cli("jobs", "run", env=env)
    assert first.returncode == 0, first.stderr
    assert f"jobs for {DAY}:" in first.stdout
    assert "certificate_reminders: reminders 1, mails 2" in first.stdout
    assert "mail: sent 2, retrying later 0, failed 0" in first.stdout
    again = run_cli("jobs", "run", env=env)
    assert again.returncode == 0, again.stderr
    assert "certificate_reminders: reminders 0, mails 0" in again.stdout
    assert_each_once(mail_server, expected_mails(numbers))
    # A day given on the command line (a month on: the one-month reminder).
    later = run_cli("jobs", "run", "--date", "2026-04-02", env=env)
    assert "certificate_reminders: reminders 1, mails 2" in later.stdout
    assert len(mail_server.messages) == 4


async def test_two_jobs_runs_at_once_send_each_reminder_once(
    database_url, session_maker, mail_server
) -> None:
    numbers = await data.reminder_fixture(session_maker, certificates=12)
    env = environment(database_url, PSO_SMTP_URL=mail_server.url)
    codes, outputs = at_once(2, [PSO, "jobs", "run"], env)
    assert codes == [0, 0], outputs
    assert_each_once(mail_server, expected_mails(numbers))
    assert await count(session_maker, CertificateReminder) == 12
    assert await count(session_maker, OutboxMail) == 24


CRASH_AFTER_UNITS = """
import os, signal, sys
from pso.jobs import reminders

done = 0
original = reminders.remind

async def remind(*args, **kwargs):
    global done
    result = await original(*args, **kwargs)
    done += 1
    if done == int(os.environ["CRASH_AFTER"]):
        os.kill(os.getpid(), signal.SIGKILL)  # between two units, lease still held
    return result

reminders.remind = remind
from pso.cli import main
sys.exit(main(["jobs", "run"]))
"""


async def test_a_run_killed_half_way_loses_and_repeats_nothing(
    database_url, session_maker, settings, mail_server
) -> None:
    numbers = await data.reminder_fixture(session_maker, certificates=5)
    env = environment(database_url, CRASH_AFTER="2")
    killed = python(CRASH_AFTER_UNITS, env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert await count(session_maker, CertificateReminder) == 2
    assert await count(session_maker, OutboxMail) == 4  # the two finished units' mails
    async with session_maker() as session:
        held = await session.get(JobLease, "daily")
    assert held.holder is not None and held.expires_at > utcnow()
    # Straight away another run finds the dead process's lease and leaves the work alone.
    busy = pso("jobs", "run", env=env)
    assert "another instance is running them" in busy.stdout
    # Once the lease has expired the next run does the other three, and only those.
    rerun = await run_jobs(session_maker, settings, now=utcnow() + LEASE_TTL + timedelta(1),
                           day=DAY)
    assert rerun.results["certificate_reminders"] == {"reminders": 3, "mails": 6}
    assert await count(session_maker, CertificateReminder) == 5
    sent = pso("mail", "send", env={**env, "PSO_SMTP_URL": mail_server.url})
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert_each_once(mail_server, expected_mails(numbers))
    async with session_maker() as session:
        audited = await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "certificate.expiry_reminder"))
    assert audited == 5


def server_app(port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "--factory", "pso.cli:server_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]


async def test_two_servers_send_the_daily_reminder_exactly_once(
    database_url, session_maker, mail_server
) -> None:
    numbers = await data.reminder_fixture(session_maker, certificates=3)
    env = {"PSO_TODAY": DAY.isoformat(), "PSO_JOBS_HOUR": "0", "PSO_SMTP_URL": mail_server.url,
           "PSO_MAIL_POLL_SECONDS": "0.2"}
    with start_server(database_url, env, command=server_app), \
            start_server(database_url, env, command=server_app):
        mail_server.wait_for(6, timeout=30)
        # Both servers have looked at the day (one ran it, the other found it done or
        # busy) and both senders have polled the outbox several times since.
        await _until_all_sent(session_maker)
    assert_each_once(mail_server, expected_mails(numbers))
    async with session_maker() as session:
        state = await session.get(JobLease, "daily")
    assert state.last_run_on == DAY and state.holder is None


async def _until_all_sent(session_maker, timeout: float = 20.0) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with session_maker() as session:
            unsent = await session.scalar(select(func.count()).select_from(OutboxMail).where(
                OutboxMail.status != "sent"))
            state = await session.get(JobLease, "daily")
        if unsent == 0 and state is not None and state.last_run_on == DAY:
            await asyncio.sleep(1.0)  # a few more sender polls: nothing may arrive twice
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the outbox was not emptied in time")


async def test_mail_outbox_cli(database_url, session_maker) -> None:
    await data.reminder_fixture(session_maker)
    env = environment(database_url)
    run = run_cli("jobs", "run", env=env)
    assert "mail:" not in run.stdout  # no PSO_SMTP_URL: nothing is sent
    listing = run_cli("mail", "outbox", env=env)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert len(lines) == 3 and "queued" in lines[1]
    assert "Uw PSO-certificaat PSO-2024-000001 verloopt op 1 mei 2026" in lines[1]
    mail_id = lines[1].split()[0]
    shown = run_cli("mail", "outbox", "--show", mail_id, env=env)
    assert "Subject: Uw PSO-certificaat PSO-2024-000001" in shown.stdout
    assert "over drie maanden" in shown.stdout
    assert run_cli("mail", "outbox", "--status", "sent", env=env).stdout.strip() == "no sent mail"
    missing = run_cli("mail", "outbox", "--show", "999999", env=env)
    assert missing.returncode == 1 and "no mail 999999" in missing.stderr
    no_smtp = run_cli("mail", "send", env=env)
    assert no_smtp.returncode == 1 and "PSO_SMTP_URL is not set" in no_smtp.stderr


async def test_cli_bad_input(database_url) -> None:
    env = environment(database_url)
    bad_date = run_cli("jobs", "run", "--date", "1-3-2026", env=env)
    assert bad_date.returncode == 2 and "2026-03-01" in bad_date.stderr
    production = run_cli("jobs", "run", env={**env, "PSO_ENV": "production",
                                         "PSO_SECRET_KEY": "x" * 40})
    assert production.returncode == 1 and "PSO_TODAY" in production.stderr
    bad_status = run_cli("mail", "outbox", "--status", "lost", env=env)
    assert bad_status.returncode == 2
