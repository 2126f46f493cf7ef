"""The rules of pso/services/accounts.py that protect people, tested on the service itself
(both databases). Each test names its rule and fails when that rule is removed."""

from __future__ import annotations

from datetime import timedelta

import anyio
import pyotp
import pytest
from sqlalchemy import event, select

from pso import clock
from pso.db.models import AuditEvent, OneTimeLink, WebSession
from pso.services import accounts
from tests.web.test_accounts import PASSWORD, make_account

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "Nieuw-wachtwoord-2026"


async def _codes(session_maker, account) -> list[str]:
    async with session_maker() as session, session.begin():
        return await accounts._new_recovery_codes(session, await session.merge(account))


async def _second_factor(session_maker, account, code: str, address: str = "10.0.0.1") -> bool:
    async with session_maker() as session, session.begin():
        return await accounts.second_factor(session, await session.merge(account), code, address)


async def test_a_recovery_code_completes_only_its_own_accounts_sign_in(session_maker) -> None:
    ans = await make_account(session_maker, "auditor", "ans@example.nl", totp=pyotp.random_base32())
    bert = await make_account(
        session_maker, "auditor", "bert@example.nl", totp=pyotp.random_base32()
    )
    ans_codes = await _codes(session_maker, ans)
    await _codes(session_maker, bert)
    assert not await _second_factor(session_maker, bert, ans_codes[0])  # not Bert's code
    assert await _second_factor(session_maker, ans, ans_codes[0])
    assert not await _second_factor(session_maker, ans, ans_codes[0])  # used up


async def test_totp_accepts_one_step_either_side_and_each_step_once(session_maker) -> None:
    secret = pyotp.random_base32()
    account = await make_account(session_maker, "auditor", totp=secret)
    with clock.stopped() as moment:
        now = moment.timestamp()
        totp = pyotp.TOTP(secret)
        assert not await _second_factor(session_maker, account, totp.at(now - 60))  # too old
        assert not await _second_factor(session_maker, account, totp.at(now + 60))  # too new
        assert await _second_factor(session_maker, account, totp.at(now - 30))
        assert await _second_factor(session_maker, account, totp.at(now))
        assert not await _second_factor(session_maker, account, totp.at(now))  # used
        assert not await _second_factor(session_maker, account, totp.at(now - 30))  # older
        assert await _second_factor(session_maker, account, totp.at(now + 30))


async def test_ending_a_session_by_id_ends_only_ones_own(session_maker) -> None:
    mine = await make_account(session_maker, "company")
    theirs = await make_account(session_maker, "municipality")
    async with session_maker() as session, session.begin():
        _, row = await accounts.start_session(
            session,
            await session.merge(theirs),
            stage="full",
            address="10.0.0.2",
            user_agent="test",
        )
    async with session_maker() as session, session.begin():
        assert not await accounts.end_session(session, await session.merge(mine), row.id)
    async with session_maker() as session:
        assert (await session.get(WebSession, row.id)).ended_at is None
    async with session_maker() as session, session.begin():
        assert await accounts.end_session(session, await session.merge(theirs), row.id)


async def _fail(session_maker, email: str, address: str) -> None:
    async with session_maker() as session, session.begin():
        assert await accounts.authenticate(session, email, "fout", address) is None


async def _throttled(session_maker, email: str, address: str) -> bool:
    async with session_maker() as session, session.begin():
        try:
            await accounts.check_throttle(session, accounts.normalise_email(email), address)
        except accounts.Throttled:
            return True
        return False


async def test_throttling_counts_failures_per_account_and_client_address(session_maker) -> None:
    await make_account(session_maker, "company")
    with clock.stopped():
        for _ in range(accounts.MAX_FAILURES - 1):
            await _fail(session_maker, "company@example.nl", "192.0.2.1")
        assert not await _throttled(session_maker, "company@example.nl", "192.0.2.1")
        await _fail(session_maker, "company@example.nl", "192.0.2.1")
        assert await _throttled(session_maker, "company@example.nl", "192.0.2.1")
        # The right password is refused too while throttled.
        async with session_maker() as session, session.begin():
            with pytest.raises(accounts.Throttled):
                await accounts.authenticate(session, "company@example.nl", PASSWORD, "192.0.2.1")
        # Another person at the same address, and the same person elsewhere, go on.
        assert not await _throttled(session_maker, "ander@example.nl", "192.0.2.1")
        assert not await _throttled(session_maker, "company@example.nl", "198.51.100.9")
        with clock.moved(accounts.WINDOW):  # the window passes
            assert not await _throttled(session_maker, "company@example.nl", "192.0.2.1")


async def test_throttling_per_address_over_all_accounts(session_maker) -> None:
    with clock.stopped():
        for i in range(accounts.MAX_FAILURES_PER_ADDRESS):
            await _fail(session_maker, f"p{i // 4}@example.nl", "192.0.2.1")
        assert await _throttled(session_maker, "nieuw@example.nl", "192.0.2.1")
        assert not await _throttled(session_maker, "nieuw@example.nl", "198.51.100.9")


async def test_a_reset_link_is_used_once_by_two_concurrent_uses(session_maker, backend) -> None:
    account = await make_account(session_maker, "company")
    async with session_maker() as session, session.begin():
        raw = await accounts.create_link(session, await session.merge(account), "reset")
    first_updated, second_updating = anyio.Event(), anyio.Event()
    outcomes: list[str] = []

    async def use(name: str, hold_until: anyio.Event | None) -> None:
        async with session_maker() as session:
            connection = await session.connection()

            @event.listens_for(connection.sync_connection, "before_cursor_execute")
            def seen(conn, cursor, statement, *args) -> None:
                # The second's first write comes after it read the link (still unused).
                if name == "second" and statement.startswith("UPDATE"):
                    second_updating.set()

            try:
                await accounts.use_link(session, raw, NEW_PASSWORD)
                if hold_until is not None:
                    first_updated.set()
                    with anyio.fail_after(30):
                        await hold_until.wait()  # commit only once the other has read
                await session.commit()
                outcomes.append("won")
            except accounts.LinkProblem as problem:
                await session.rollback()
                outcomes.append(problem.reason)

    if backend == "postgres":
        # Both read the link unused (the first has not committed), then both update it:
        # only the `used_at IS NULL` condition of the update stops the second.
        async with anyio.create_task_group() as group:
            group.start_soon(use, "first", second_updating)
            await first_updated.wait()
            group.start_soon(use, "second", None)
    else:
        async with anyio.create_task_group() as group:  # SQLite: writers one at a time
            group.start_soon(use, "first", None)
            group.start_soon(use, "second", None)
    assert sorted(outcomes) == ["used", "won"]
    async with session_maker() as session:
        link = await session.scalar(select(OneTimeLink))
    assert link.used_at is not None


async def test_throttling_per_account_from_anywhere(session_maker) -> None:
    await make_account(session_maker, "company")
    with clock.stopped():
        for i in range(accounts.MAX_FAILURES_PER_ACCOUNT):  # one failure per address
            await _fail(session_maker, "company@example.nl", f"198.51.100.{i + 1}")
        assert await _throttled(session_maker, "company@example.nl", "203.0.113.7")
        assert not await _throttled(session_maker, "ander@example.nl", "203.0.113.7")
        with clock.moved(accounts.ACCOUNT_WINDOW):
            assert not await _throttled(session_maker, "company@example.nl", "203.0.113.7")


async def test_using_a_link_uses_up_that_link_only_whatever_its_place(session_maker) -> None:
    """Marking a link used names that link: the links made before and after it, of other
    people, still open (and using one does not answer 'used')."""
    raws = []
    for email in ("ana@example.nl", "bert@example.nl", "carla@example.nl"):
        account = await make_account(session_maker, "company", email)
        async with session_maker() as session, session.begin():
            raws.append(await accounts.create_link(session, await session.merge(account), "reset"))
    async with session_maker() as session, session.begin():
        assert (await accounts.use_link(session, raws[1], NEW_PASSWORD)).email == "bert@example.nl"
    for raw in (raws[0], raws[2]):
        async with session_maker() as session:
            link, _ = await accounts.open_link(session, raw)
            assert link.used_at is None


async def test_throttling_begins_at_the_fifth_failure_and_lasts_fifteen_minutes(
    session_maker,
) -> None:
    """5 failures in 15 minutes per person and client: the numbers written out, not the
    constants, so a changed limit or window is noticed."""
    await make_account(session_maker, "company")
    with clock.stopped():
        for _ in range(4):
            await _fail(session_maker, "company@example.nl", "192.0.2.1")
        assert not await _throttled(session_maker, "company@example.nl", "192.0.2.1")
        await _fail(session_maker, "company@example.nl", "192.0.2.1")
        with clock.moved(timedelta(minutes=15) - timedelta(seconds=1)):
            assert await _throttled(session_maker, "company@example.nl", "192.0.2.1")
        with clock.moved(timedelta(minutes=15)):
            assert not await _throttled(session_maker, "company@example.nl", "192.0.2.1")


async def test_the_audit_log_says_why_a_sign_in_failed(session_maker) -> None:
    secret = pyotp.random_base32()
    account = await make_account(session_maker, "auditor", totp=secret)
    await _fail(session_maker, "auditor@example.nl", "192.0.2.1")
    assert not await _second_factor(session_maker, account, "000000x")
    async with session_maker() as session, session.begin():
        assert await accounts.authenticate(session, "auditor@example.nl", PASSWORD, "192.0.2.1")
    assert await _second_factor(session_maker, account, pyotp.TOTP(secret).now())
    async with session_maker() as session:
        events = list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.like("account.sign%"))
                .order_by(AuditEvent.id)
            )
        )
    assert [(e.action, e.summary.get("reason")) for e in events] == [
        ("account.sign_in_failed", "password"),
        ("account.sign_in_failed", "code"),
        ("account.signed_in", None),
    ]
