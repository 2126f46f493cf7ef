"""The rules of pso/services/accounts.py that protect people, tested on the service itself
(both databases). Each test names its rule and fails when that rule is removed."""

from __future__ import annotations

import re
from datetime import timedelta

import anyio
import pyotp
import pytest
from sqlalchemy import event, func, select

from pso import clock
from pso.auth import SYSTEM
from pso.db.models import AuditEvent, LoginAttempt, OneTimeLink, OutboxMail, WebSession
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


# --- sessions, tokens, links and codes: rules found by `make mutate` (sample of 30) ---------


async def _start(session_maker, account, address: str = "10.0.0.2") -> tuple[str, int]:
    async with session_maker() as session, session.begin():
        raw, row = await accounts.start_session(
            session,
            await session.merge(account),
            stage="full",
            address=address,
            user_agent="test",
        )
        return raw, row.id


async def _load(session_maker, raw: str) -> accounts.Visit | None:
    async with session_maker() as session:
        return await accounts.load_session(session, raw, timedelta(hours=1))


async def test_last_seen_is_written_at_most_once_a_minute_even_by_two_requests_at_once(
    session_maker,
) -> None:
    """Two requests that both found last_seen_at a minute old: the first writes it, the
    second finds nothing to write (so a page with many requests is one write a minute)."""
    account = await make_account(session_maker, "company")
    with clock.stopped() as start:
        raw, row_id = await _start(session_maker, account)
        with clock.moved(timedelta(minutes=2)):
            first, second = await _load(session_maker, raw), await _load(session_maker, raw)
            assert first.seen_due and second.seen_due and not first.idle
            async with session_maker() as session, session.begin():
                await accounts.record_visit(session, first)
        with clock.moved(timedelta(minutes=2, seconds=10)):
            async with session_maker() as session, session.begin():
                await accounts.record_visit(session, second)
            assert not (await _load(session_maker, raw)).seen_due  # written 10 s ago
        async with session_maker() as session:
            seen = (await session.get(WebSession, row_id)).last_seen_at
        assert seen.replace(tzinfo=None) == (start + timedelta(minutes=2)).replace(tzinfo=None)


async def test_ending_one_session_leaves_the_accounts_other_sessions_alone(session_maker) -> None:
    """`end_session` names one session: the account's sessions started before and after it
    stay live, whichever of them is ended."""
    account = await make_account(session_maker, "company")
    ids = [(await _start(session_maker, account))[1] for _ in range(3)]
    for ended in (ids[1], ids[0], ids[2]):
        async with session_maker() as session, session.begin():
            assert await accounts.end_session(session, await session.merge(account), ended)
        async with session_maker() as session:
            live = [
                s.id
                for s in await accounts.live_sessions(
                    session, await session.merge(account), timedelta(hours=1)
                )
            ]
        assert ended not in live
        assert len(live) == 2 - [ids[1], ids[0], ids[2]].index(ended)


async def _reset_mails(session_maker, email: str) -> int:
    async with session_maker() as session:
        return len(
            [
                m
                for m in await session.scalars(select(OutboxMail))
                if m.to_address == email and m.template == "password_reset"
            ]
        )


async def test_the_reset_mail_limit_counts_each_persons_own_links(session_maker) -> None:
    """Three reset mails an hour per person: someone else's mails (an account made before or
    after theirs) do not use up anyone's three."""
    await make_account(session_maker, "company", "ana@example.nl")
    await make_account(session_maker, "company", "bert@example.nl")
    await make_account(session_maker, "company", "carla@example.nl")
    for _ in range(4):
        async with session_maker() as session, session.begin():
            await accounts.request_reset(session, "bert@example.nl", "https://pso.test")
    assert await _reset_mails(session_maker, "bert@example.nl") == 3
    for email in ("ana@example.nl", "carla@example.nl"):
        async with session_maker() as session, session.begin():
            await accounts.request_reset(session, email, "https://pso.test")
        assert await _reset_mails(session_maker, email) == 1


async def test_only_a_revoked_account_is_reinstated(session_maker) -> None:
    account = await make_account(session_maker, "company")
    async with session_maker() as session, session.begin():
        assert not (await accounts.reinstate_account(session, SYSTEM, account.id))[1]
        await accounts.revoke_account(session, SYSTEM, account.email)
    async with session_maker() as session, session.begin():
        found, changed = await accounts.reinstate_account(session, SYSTEM, account.id)
        assert changed and found.revoked_at is None
    async with session_maker() as session, session.begin():
        assert not (await accounts.reinstate_account(session, SYSTEM, account.id))[1]
        actions = list(
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.like("account.re%"))
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["account.revoked", "account.reinstated"]


async def test_a_new_invitation_only_for_someone_invited_who_has_no_password(
    session_maker,
) -> None:
    """Resending an invitation is for a live account without a password: not for one with a
    password (a way to take it over), nor a revoked one."""
    admin = await make_account(session_maker, "admin")
    with_password = await make_account(session_maker, "company", "ana@example.nl")
    invited = await make_account(session_maker, "company", "bert@example.nl", password=None)
    revoked = await make_account(session_maker, "company", "carla@example.nl", password=None)
    async with session_maker() as session, session.begin():
        await accounts.revoke_account(session, SYSTEM, revoked.email)
    for refused in (with_password, revoked):
        async with session_maker() as session, session.begin():
            with pytest.raises(accounts.AccountError):
                await accounts.resend_invitation(
                    session,
                    SYSTEM,
                    await session.merge(refused),
                    "https://pso.test",
                    inviter=admin.name,
                )
    async with session_maker() as session, session.begin():
        link = await accounts.resend_invitation(
            session, SYSTEM, await session.merge(invited), "https://pso.test", inviter=admin.name
        )
    assert link.startswith("https://pso.test/wachtwoord-instellen/")
    async with session_maker() as session:
        assert await session.scalar(select(func.count()).select_from(OneTimeLink)) == 1


async def test_ten_recovery_codes_of_three_groups_of_six_and_each_used_once_is_counted(
    session_maker,
) -> None:
    account = await make_account(session_maker, "auditor", totp=pyotp.random_base32())
    codes = await _codes(session_maker, account)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{6}", c) for c in codes)
    async with session_maker() as session:
        assert await accounts.remaining_recovery_codes(session, await session.merge(account)) == 10
    assert await _second_factor(session_maker, account, codes[3].upper())
    async with session_maker() as session:
        assert await accounts.remaining_recovery_codes(session, await session.merge(account)) == 9


async def test_an_api_token_needs_a_label_of_at_most_100_characters(session_maker) -> None:
    account = await make_account(session_maker, "company")
    for label in ("", "   ", "x" * 101):
        async with session_maker() as session, session.begin():
            with pytest.raises(accounts.AccountError):
                await accounts.create_token(session, await session.merge(account), label)
    async with session_maker() as session, session.begin():
        user, _ = await accounts.create_token(session, await session.merge(account), "x" * 100)
    assert user.label == "x" * 100


async def test_revoking_a_token_revokes_that_token_only_whatever_its_place(session_maker) -> None:
    account = await make_account(session_maker, "company")
    other = await make_account(session_maker, "municipality")
    ids = []
    for owner, label in ((account, "een"), (other, "ander"), (account, "twee"), (account, "drie")):
        async with session_maker() as session, session.begin():
            ids.append(
                (await accounts.create_token(session, await session.merge(owner), label))[0].id
            )
    async with session_maker() as session, session.begin():
        assert not await accounts.revoke_token(session, await session.merge(account), ids[1])
        assert await accounts.revoke_token(session, await session.merge(account), ids[2])
    async with session_maker() as session:
        left = [
            u.label for u in await accounts.account_tokens(session, await session.merge(account))
        ]
        assert sorted(left) == ["drie", "een"]
        assert len(await accounts.account_tokens(session, await session.merge(other))) == 1


async def test_sign_in_takes_the_first_254_characters_of_an_address(session_maker) -> None:
    """The longest address (254 characters) signs in; a longer one is cut to 254 for the
    throttle as for the record, so it cannot dodge the throttle; the audit log names an
    unknown person by the first 200 characters."""
    long = "a" * 64 + "@" + "b" * 186 + ".nl"
    assert len(long) == 254
    await make_account(session_maker, "company", long)
    async with session_maker() as session, session.begin():
        assert await accounts.authenticate(session, long, PASSWORD, "192.0.2.1") is not None
    longer = "c" * 64 + "@" + "d" * 240 + ".nl"
    with clock.stopped():
        for _ in range(5):
            await _fail(session_maker, longer, "192.0.2.9")
        async with session_maker() as session, session.begin():
            with pytest.raises(accounts.Throttled):
                await accounts.authenticate(session, longer, "fout", "192.0.2.9")
    async with session_maker() as session:
        stored = set(
            await session.scalars(
                select(LoginAttempt.email).where(LoginAttempt.client_address == "192.0.2.9")
            )
        )
        names = set(
            await session.scalars(
                select(AuditEvent.actor_name).where(AuditEvent.action == "account.sign_in_failed")
            )
        )
    assert stored == {longer[:254]}
    assert names == {longer[:200]}


async def test_a_failed_sign_in_is_recorded_against_the_account_it_names(session_maker) -> None:
    """A wrong password for a live account is in that account's audit trail (by it, for
    it); an unknown or revoked address is recorded as anonymous."""
    account = await make_account(session_maker, "company")
    await make_account(session_maker, "municipality")
    async with session_maker() as session, session.begin():
        await accounts.revoke_account(session, SYSTEM, "municipality@example.nl")
    for email in ("company@example.nl", "municipality@example.nl", "niemand@example.nl"):
        await _fail(session_maker, email, "192.0.2.1")
    async with session_maker() as session:
        events = list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "account.sign_in_failed")
                .order_by(AuditEvent.id)
            )
        )
    assert [(e.entity_id, e.actor_account_id, e.actor_role) for e in events] == [
        (str(account.id), account.id, "company"),
        ("-", None, "anonymous"),
        ("-", None, "anonymous"),
    ]


async def test_the_mail_limits_count_each_kind_of_link_apart(session_maker) -> None:
    """Three reset mails do not use up the three invitations of a day, nor the other way
    round."""
    admin = await make_account(session_maker, "admin")
    for email in ("ana@example.nl", "bert@example.nl"):
        await make_account(session_maker, "company", email, password=None)
    for _ in range(3):
        async with session_maker() as session, session.begin():
            await accounts.request_reset(session, "ana@example.nl", "https://pso.test")
        async with session_maker() as session, session.begin():
            bert = await accounts.find_account(session, "bert@example.nl")
            await accounts.resend_invitation(
                session, SYSTEM, bert, "https://pso.test", inviter=admin.name
            )
    async with session_maker() as session, session.begin():
        ana = await accounts.find_account(session, "ana@example.nl")
        await accounts.resend_invitation(
            session, SYSTEM, ana, "https://pso.test", inviter=admin.name
        )
        await accounts.request_reset(session, "bert@example.nl", "https://pso.test")
    async with session_maker() as session:
        sent = [(m.to_address, m.template) for m in await session.scalars(select(OutboxMail))]
    assert sent.count(("ana@example.nl", "password_reset")) == 3
    assert sent.count(("ana@example.nl", "invitation")) == 1
    assert sent.count(("bert@example.nl", "invitation")) == 3
    assert sent.count(("bert@example.nl", "password_reset")) == 1


async def test_a_person_acts_for_their_own_party_only(session_maker) -> None:
    """The Actor of an account carries the KvK number of a company only, and the code of a
    municipality only: a buyer, an auditor or an admin acts for neither."""
    expected = {
        "company": ("12345678", None),
        "procurement": (None, None),
        "municipality": (None, "GM0363"),
        "auditor": (None, None),
        "admin": (None, None),
    }
    for role, (kvk, municipality) in expected.items():
        account = await make_account(session_maker, role)
        async with session_maker() as session:
            actor = accounts.actor_of(await session.merge(account))
        assert (actor.role, actor.kvk, actor.municipality_code) == (role, kvk, municipality)
        assert (actor.account_id, actor.party_id) == (account.id, account.party_id)
