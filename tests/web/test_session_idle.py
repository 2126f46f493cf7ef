"""Browser sessions end after PSO_SESSION_IDLE_MINUTES without requests (and after 8 hours
in any case). The clock stands still in every test and is moved to exact moments
(pso.clock.stopped, moved), never slept; the writes of last_seen_at (at most once a
minute) are counted at the database driver."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from pso import clock
from pso.app import create_app
from pso.db.models import LoginAttempt, Tender, User, WebSession
from pso.services import accounts
from pso.settings import Settings, SettingsError
from tests.web.test_accounts import csrf_of, form_post, make_account, session_cookie, sign_in
from tests.web.test_inkoop import new_tender, post, signed_in_buyer

pytestmark = pytest.mark.anyio

MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)
NOTICE = ("U bent uitgelogd na 30 minuten zonder activiteit. Log opnieuw in om verder te gaan "
          "waar u was.")


@pytest.fixture(autouse=True)
def still_clock() -> Iterator[None]:
    with clock.stopped():
        yield


@contextlib.contextmanager
def session_writes() -> Iterator[list[str]]:
    """The UPDATE statements on web_sessions any engine in this process sends meanwhile."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE WEB_SESSIONS"):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", listen)


async def stored_session(session_maker, client) -> WebSession:
    async with session_maker() as session:
        return await session.scalar(select(WebSession).where(
            WebSession.id_hash == accounts.sha256(session_cookie(client))))


async def test_an_idle_session_ends_and_sign_in_leads_back(client, session_maker) -> None:
    await make_account(session_maker)
    await sign_in(client, "company@example.nl")
    cookie = session_cookie(client)
    # Seen last after 30:59 (the limit plus the minute last_seen_at may lag): still signed in.
    with clock.moved(31 * MINUTE - SECOND):
        assert (await client.get("/mijn/organisatie")).status_code == 200
    with clock.moved(2 * (31 * MINUTE) - SECOND):
        away = await client.get("/mijn/organisatie?stap=2", follow_redirects=False)
        assert away.status_code == 303
        assert away.headers["location"] == "/inloggen?volgende=/mijn/organisatie%3Fstap%3D2"
        assert any(c.startswith("pso_sessie=") and "max-age=0" in c.lower()
                   for c in away.headers.get_list("set-cookie"))  # the browser forgets it
        form = await client.get(away.headers["location"])
        assert NOTICE in form.text and "notice-warn" in form.text
        assert 'name="volgende" value="/mijn/organisatie?stap=2"' in form.text
        async with session_maker() as session:
            ended = await session.scalar(select(WebSession).where(
                WebSession.id_hash == accounts.sha256(cookie)))
        assert ended.ended_at == clock.utcnow()
        back = await client.post("/inloggen", follow_redirects=False, data={
            "email": "company@example.nl", "password": "Groene-Ladder-Zomer-2026",
            "csrf": csrf_of(form.text), "volgende": "/mijn/organisatie?stap=2"})
        assert back.headers["location"] == "/mijn/organisatie?stap=2"
        assert (await client.get("/mijn/organisatie")).status_code == 200
    # The ended session stays ended, also when the clock is back.
    client.cookies.clear()
    client.cookies.set("pso_sessie", cookie)
    again = await client.get("/mijn", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/inloggen?volgende=/mijn"


async def test_activity_keeps_the_session_and_is_written_once_a_minute(
        client, session_maker) -> None:
    await make_account(session_maker)
    await sign_in(client, "company@example.nl")
    signed_in = (await stored_session(session_maker, client)).last_seen_at
    with clock.moved(MINUTE - SECOND), session_writes() as writes:
        for url in ("/mijn", "/account", "/mijn/organisatie", "/mijn", "/account"):
            assert (await client.get(url)).status_code == 200
        refused = await form_post(client, "/account/tokens", {"label": ""}, page="/account")
        assert refused.status_code == 400
    assert writes == []  # within the minute: no write at all
    assert (await stored_session(session_maker, client)).last_seen_at == signed_in
    for step in (MINUTE, 20 * MINUTE, 40 * MINUTE, 60 * MINUTE, 80 * MINUTE):
        with clock.moved(step), session_writes() as writes:  # 80 minutes, still signed in
            for _ in range(3):
                assert (await client.get("/mijn")).status_code == 200
            assert len(writes) == 1  # once, then it is fresh for a minute
            seen = (await stored_session(session_maker, client)).last_seen_at
            assert seen == signed_in + step
    # A form post counts as activity too.
    with clock.moved(110 * MINUTE):
        made = await form_post(client, "/account/tokens", {"label": "Script"}, page="/account")
        assert made.status_code == 200
    with clock.moved(141 * MINUTE):
        assert (await client.get("/mijn", follow_redirects=False)).status_code == 303


async def test_a_form_post_with_an_idle_session_goes_to_sign_in(client, session_maker) -> None:
    await make_account(session_maker)
    await sign_in(client, "company@example.nl")
    csrf = csrf_of((await client.get("/account")).text)
    came_from = f"{client.base_url}/account"
    with clock.moved(timedelta(minutes=32)):
        made = await client.post("/account/tokens", data={"label": "Script", "csrf": csrf},
                                 headers={"Referer": came_from}, follow_redirects=False)
        assert made.status_code == 303
        assert made.headers["location"] == "/inloggen?volgende=/account"
        assert NOTICE in (await client.get(made.headers["location"])).text
    async with session_maker() as session:
        assert await session.scalar(select(User)) is None  # nothing done for the stale form
    # A form post whose Referer is another site comes back to its own address.
    await sign_in(client, "company@example.nl")
    csrf = csrf_of((await client.get("/mijn/organisatie")).text)
    with clock.moved(timedelta(minutes=32)):
        saved = await client.post("/mijn/organisatie", data={"csrf": csrf, "name": "X"},
                                  headers={"Referer": "https://evil.example/account"},
                                  follow_redirects=False)
    assert saved.headers["location"] == "/inloggen?volgende=/mijn/organisatie"


async def test_the_eight_hours_still_hold_for_an_active_session(client, session_maker) -> None:
    await make_account(session_maker)
    await sign_in(client, "company@example.nl")
    for minutes in range(25, 8 * 60, 25):
        with clock.moved(timedelta(minutes=minutes)):
            assert (await client.get("/mijn")).status_code == 200, minutes
    with clock.moved(timedelta(hours=8)):
        over = await client.get("/mijn", follow_redirects=False)
        assert over.headers["location"] == "/inloggen?volgende=/mijn"
        assert NOTICE not in (await client.get("/inloggen")).text  # not idle: simply over


async def test_personal_tokens_do_not_idle(client, session_maker) -> None:
    await make_account(session_maker, "municipality")
    await sign_in(client, "municipality@example.nl")
    made = await form_post(client, "/account/tokens", {"label": "Script"}, page="/account")
    token = re.search(r'id="new-token">(pso_[^<]+)<', made.text).group(1)
    auth = {"Authorization": f"Bearer {token}"}
    with clock.moved(timedelta(hours=2)):
        assert (await client.get("/gemeente", follow_redirects=False)).status_code == 303
        client.cookies.clear()
        listed = await client.get("/api/v1/voucher-schemes", headers=auth)
        assert listed.status_code == 200, listed.text  # the person's token goes on working


async def test_account_page_states_the_limits_and_hides_idle_sessions(
        settings, session_maker) -> None:
    await make_account(session_maker)
    quick = dataclasses.replace(settings, session_idle_minutes=5)
    async with AsyncTestClient(app=create_app(quick)) as client, \
            AsyncTestClient(app=create_app(quick)) as other:
        await sign_in(other, "company@example.nl")
        await sign_in(client, "company@example.nl")
        page = await client.get("/account")
        assert ("Sessies eindigen na 5 minuten zonder activiteit en uiterlijk na 8 uur."
                in page.text)
        assert page.text.count("/beeindigen") == 2
        with clock.moved(timedelta(minutes=4)):
            assert (await client.get("/account")).text.count("/beeindigen") == 2
        with clock.moved(timedelta(minutes=7)):  # the other browser was idle for 7 minutes
            assert (await client.get("/account")).text.count("/beeindigen") == 1
            gone = await other.get("/account", follow_redirects=False)
            assert gone.headers["location"] == "/inloggen?volgende=/account"
            notice = (await other.get("/inloggen")).text
            assert "U bent uitgelogd na 5 minuten zonder activiteit." in notice


async def test_a_get_that_writes_still_can_after_the_session_note(
        client, session_maker, fixed_today) -> None:
    """The first look at a tender after its deadline stores the evaluation: on the same GET
    as the once-a-minute note about the session (SQLite: a read snapshot must not write)."""
    csrf = await signed_in_buyer(client, session_maker)
    url = await new_tender(client, csrf)
    added = await post(client, f"{url}/inschrijvingen", {
        "csrf": csrf, "bidder": "Alfa Bouw B.V.", "kvk": "10000001", "price": "100.000,00"})
    assert added.status_code == 303, added.text
    fixed_today(clock.today() + timedelta(days=1))
    with clock.moved(timedelta(minutes=2)), session_writes() as writes:
        page = await client.get(url)
    assert page.status_code == 200 and len(writes) == 1
    async with session_maker() as session:
        assert await session.scalar(select(Tender.snapshot).limit(1)) is not None


async def test_the_session_note_survives_another_writer(client, session_maker,
                                                       monkeypatch) -> None:
    """Another request commits between the GET's look-up of the session and its note: on
    SQLite, a note written inside the GET's read snapshot would now be refused (503)."""
    await make_account(session_maker)
    await sign_in(client, "company@example.nl")
    note, app_sessions = accounts.record_visit, client.app.state.session_maker

    async def after_another_commit(session, visit) -> None:
        async with app_sessions() as other, other.begin():  # on the app's event loop
            other.add(LoginAttempt(email="x@example.nl", client_address="elders"))
        await note(session, visit)

    monkeypatch.setattr(accounts, "record_visit", after_another_commit)
    with clock.moved(timedelta(minutes=2)):
        assert (await client.get("/mijn")).status_code == 200
        assert (await stored_session(session_maker, client)).last_seen_at > clock.utcnow() - \
            timedelta(minutes=1)


def test_the_idle_limit_is_a_setting() -> None:
    assert Settings.from_env({"PSO_ENV": "test"}).session_idle == timedelta(minutes=30)
    chosen = Settings.from_env({"PSO_ENV": "test", "PSO_SESSION_IDLE_MINUTES": "15"})
    assert chosen.session_idle_minutes == 15 and chosen.session_idle == timedelta(minutes=15)
    assert Settings.from_env({"PSO_ENV": "test", "PSO_SESSION_IDLE_MINUTES": "480"}).session_idle_minutes == 480


@pytest.mark.parametrize("value", ["0", "-5", "481", "dertig", "", "1.5", "30m"])
def test_nonsense_idle_limits_are_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="PSO_SESSION_IDLE_MINUTES must be a whole number "
                                            "of minutes from 1 to 480"):
        Settings.from_env({"PSO_ENV": "test", "PSO_SESSION_IDLE_MINUTES": value})
