"""Accounts over HTTP (no browser): signing in and out, throttling, server-side sessions,
password reset and invitation links, TOTP, personal tokens, CSRF and the role homes."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from pso import clock, passwords
from pso.auth import SYSTEM
from pso.db.base import utcnow
from pso.db.models import (
    Account,
    AuditEvent,
    LoginAttempt,
    OneTimeLink,
    OutboxMail,
    RecoveryCode,
    User,
    WebSession,
)
from pso.services import accounts
from tests.web.prg import answered

pytestmark = pytest.mark.anyio

PASSWORD = "Groene-Ladder-Zomer-2026"
PARTIES = {"company": "12345678", "auditor": "PSOCERT", "procurement": "30280353",
           "municipality": "GM0363", "admin": None}


async def make_account(session_maker, role: str = "company", email: str | None = None, *,
                       password: str | None = PASSWORD, totp: str | None = None,
                       party: str | None = "") -> Account:
    """An account with a password (and an enabled TOTP secret when given)."""
    async with session_maker() as session, session.begin():
        kind, code = accounts.party_key(role, PARTIES[role] if party == "" else party)
        found = await accounts.ensure_party(session, kind, code, f"Partij {code}")
        account = await accounts.create_account(
            session, SYSTEM, email=email or f"{role}@example.nl", name=f"Test {role}",
            role=role, party=found, password=password)
        if totp:
            account.totp_secret, account.totp_enabled_at = totp, utcnow()
        return account


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def form_post(client, url: str, data: dict[str, str], *, page: str | None = None):
    """POST a form with the CSRF token of `page` (default: the same URL)."""
    if page is None:
        page = "/account" if url.startswith("/account/") and url != "/account/uitnodigen" else url
    token = csrf_of((await client.get(page)).text)
    return await answered(client, await client.post(url, data={**data, "csrf": token},
                                                    follow_redirects=False))


async def sign_in(client, email: str, password: str = PASSWORD):
    return await form_post(client, "/inloggen", {"email": email, "password": password})


def session_cookie(client) -> str:
    return client.cookies.get("pso_sessie")


async def mails_to(session_maker, address: str) -> list[OutboxMail]:
    async with session_maker() as session:
        return list(await session.scalars(select(OutboxMail).where(
            OutboxMail.to_address == address).order_by(OutboxMail.id)))


def link_in(mail: OutboxMail) -> str:
    url = re.search(r"https?://\S+/wachtwoord-instellen/\S+", mail.text_body).group(0)
    return url[url.index("/wachtwoord-instellen/"):]


async def test_sign_in_lands_on_the_role_home_with_a_safe_cookie(client, session_maker) -> None:
    await make_account(session_maker, "municipality")
    form = await client.get("/inloggen")
    assert form.status_code == 200 and 'name="email"' in form.text
    assert 'name="password"' in form.text and form.headers["cache-control"] == "no-store"
    done = await sign_in(client, "  Municipality@Example.NL ")  # case and spaces do not matter
    assert done.status_code == 303 and done.headers["location"] == "/gemeente"
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("pso_sessie="))
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    assert "secure" not in lowered  # plain http here; see the https test below
    home = await client.get("/gemeente")
    assert home.status_code == 200 and "Test municipality" in home.text
    async with session_maker() as session:
        actions = list(await session.scalars(select(AuditEvent.action)))
        stored = await session.scalar(select(WebSession))
    assert "account.signed_in" in actions
    assert stored.id_hash != session_cookie(client)  # only a hash of the id is stored


@pytest.mark.parametrize("role,home", [("company", "/mijn"), ("procurement", "/inkoop")])
async def test_each_role_has_its_home(client, session_maker, role, home) -> None:
    await make_account(session_maker, role)
    done = await sign_in(client, f"{role}@example.nl")
    assert done.headers["location"] == home
    assert (await client.get(home)).status_code == 200
    # Another role's home answers 403 with a way back.
    other = await client.get("/beheer")
    assert other.status_code == 403 and f'href="{home}"' in other.text


async def test_unknown_email_and_wrong_password_get_the_same_answer(
        client, session_maker, monkeypatch) -> None:
    await make_account(session_maker)
    verified: list[str | None] = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password",
                        lambda stored, pw: verified.append(stored) or real(stored, pw))
    wrong = await sign_in(client, "company@example.nl", "Verkeerd-wachtwoord-1")
    unknown = await sign_in(client, "niemand@example.nl", "Verkeerd-wachtwoord-1")
    assert wrong.status_code == unknown.status_code == 401
    text = "Het e-mailadres of het wachtwoord klopt niet."
    assert text in wrong.text and text in unknown.text
    # Both paths run exactly one Argon2 verification (a dummy hash for the unknown address).
    assert len(verified) == 2 and verified[0] is not None and verified[1] is None
    async with session_maker() as session:
        failed = list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "account.sign_in_failed")))
    assert {e.summary["email"] for e in failed} == {"company@example.nl", "niemand@example.nl"}


async def test_five_failures_throttle_even_the_right_password(client, session_maker) -> None:
    await make_account(session_maker)
    await make_account(session_maker, email="collega@example.nl")
    for _ in range(5):
        assert (await sign_in(client, "company@example.nl", "Fout-fout-fout-1")).status_code == 401
    blocked = await sign_in(client, "company@example.nl")
    assert blocked.status_code == 429
    assert 890 <= int(blocked.headers["retry-after"]) <= 900
    assert "Te veel mislukte pogingen" in blocked.text and "15 minuten" in blocked.text
    # Per account and address: a colleague at the same address still signs in.
    assert (await sign_in(client, "collega@example.nl")).status_code == 303
    # When the window has passed (moved back in the database, no sleeping), it works again.
    async with session_maker() as session, session.begin():
        await session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=16)))
    client.cookies.clear()
    assert (await sign_in(client, "company@example.nl")).status_code == 303


async def test_many_failures_from_one_address_throttle_every_account(client, session_maker) -> None:
    await make_account(session_maker)
    async with session_maker() as session, session.begin():
        session.add_all(LoginAttempt(email=f"x{i}@example.nl", client_address="testclient",
                                     success=False) for i in range(50))
    blocked = await sign_in(client, "company@example.nl")
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0


async def test_logout_makes_the_old_cookie_worthless(client, session_maker) -> None:
    await make_account(session_maker)
    await sign_in(client, "company@example.nl")
    old = session_cookie(client)
    assert (await client.get("/mijn")).status_code == 200
    out = await form_post(client, "/uitloggen", {}, page="/mijn")
    assert out.status_code == 303 and out.headers["location"] == "/inloggen"
    client.cookies.clear()
    client.cookies.set("pso_sessie", old)  # a copy of the cookie taken before logging out
    again = await client.get("/mijn", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/inloggen")


async def test_sign_in_rotates_the_session_id(client, session_maker) -> None:
    await make_account(session_maker)
    await sign_in(client, "company@example.nl")
    first = session_cookie(client)
    await sign_in(client, "company@example.nl")  # again, from the same browser
    assert session_cookie(client) != first
    client.cookies.set("pso_sessie", first)
    assert (await client.get("/mijn", follow_redirects=False)).status_code == 303


async def test_password_change_ends_other_sessions(client, settings, session_maker) -> None:
    from litestar.testing import AsyncTestClient

    from pso.app import create_app

    await make_account(session_maker)
    async with AsyncTestClient(app=create_app(settings)) as other:
        await sign_in(other, "company@example.nl")
        await sign_in(client, "company@example.nl")
        weak = await form_post(client, "/account/wachtwoord", {
            "current": PASSWORD, "password": "kort", "password2": "kort"})
        assert weak.status_code == 400 and "minstens 12 tekens" in weak.text
        wrong = await form_post(client, "/account/wachtwoord", {
            "current": "Niet-het-huidige-1", "password": "Nieuw-wachtwoord-2026",
            "password2": "Nieuw-wachtwoord-2026"})
        assert wrong.status_code == 400 and "huidige wachtwoord klopt niet" in wrong.text
        done = await form_post(client, "/account/wachtwoord", {
            "current": PASSWORD, "password": "Nieuw-wachtwoord-2026",
            "password2": "Nieuw-wachtwoord-2026"})
        assert done.status_code == 303
        assert (await client.get("/account")).status_code == 200  # this browser goes on
        assert (await other.get("/mijn", follow_redirects=False)).status_code == 303
    assert (await sign_in(client, "company@example.nl")).status_code == 401
    assert (await sign_in(client, "company@example.nl", "Nieuw-wachtwoord-2026")).status_code == 303


async def test_sessions_are_listed_and_can_be_ended(client, settings, session_maker) -> None:
    from litestar.testing import AsyncTestClient

    from pso.app import create_app

    await make_account(session_maker)
    async with AsyncTestClient(app=create_app(settings)) as other:
        await sign_in(other, "company@example.nl")
        await sign_in(client, "company@example.nl")
        page = (await client.get("/account")).text
        ids = re.findall(r'action="/account/sessies/(\d+)/beeindigen"', page)
        assert len(ids) == 2 and "(deze sessie)" in page
        async with session_maker() as session:
            theirs = await session.scalar(select(WebSession.id).where(
                WebSession.id_hash == accounts.sha256(session_cookie(other))))
        ended = await form_post(client, f"/account/sessies/{theirs}/beeindigen", {},
                                page="/account")
        assert ended.status_code == 303 and ended.headers["location"] == "/account#sessies"
        assert "De sessie is beëindigd." in (await client.get("/account")).text
        assert (await other.get("/mijn", follow_redirects=False)).status_code == 303
        assert (await client.get("/mijn")).status_code == 200

    # Someone else's session (a real, live one of another account) is not ours to end.
    await make_account(session_maker, "municipality")
    async with AsyncTestClient(app=create_app(settings)) as stranger:
        await sign_in(stranger, "municipality@example.nl")
        async with session_maker() as session:
            strangers = await session.scalar(select(WebSession.id).where(
                WebSession.id_hash == accounts.sha256(session_cookie(stranger))))
        refused = await form_post(client, f"/account/sessies/{strangers}/beeindigen", {},
                                  page="/account")
        assert refused.status_code == 303 and refused.headers["location"] == "/account"
        assert "Deze sessie bestaat niet (meer)." in (await client.get("/account")).text
        assert (await stranger.get("/gemeente", follow_redirects=False)).status_code == 200
        async with session_maker() as session:
            assert (await session.get(WebSession, strangers)).ended_at is None


async def test_password_reset_link_works_once_and_for_one_hour(client, session_maker) -> None:
    await make_account(session_maker)
    known = await form_post(client, "/wachtwoord-vergeten", {"email": "Company@example.nl"})
    unknown = await form_post(client, "/wachtwoord-vergeten", {"email": "niemand@example.nl"})
    assert known.status_code == unknown.status_code == 200
    assert "Als er een account met het adres" in known.text and "Als er een account" in unknown.text
    invalid = await form_post(client, "/wachtwoord-vergeten", {"email": "geen adres"})
    assert invalid.status_code == 400 and "geldig e-mailadres" in invalid.text
    assert await mails_to(session_maker, "niemand@example.nl") == []
    [mail] = await mails_to(session_maker, "company@example.nl")
    assert mail.subject == "Nieuw wachtwoord voor de PSO-dienst"
    path = link_in(mail)
    page = await client.get(path)
    assert page.status_code == 200 and "company@example.nl" in page.text
    for weak, reason in (("kort", "minstens 12 tekens"),
                         ("qwertyuiop123", "veelgebruikte wachtwoorden")):
        refused = await form_post(client, path, {"password": weak, "password2": weak})
        assert refused.status_code == 400 and reason in refused.text
    differ = await form_post(client, path, {"password": "Nieuw-wachtwoord-2026",
                                            "password2": "Anders-wachtwoord-2026"})
    assert differ.status_code == 400 and "niet gelijk" in differ.text
    done = await form_post(client, path, {"password": "Nieuw-wachtwoord-2026",
                                          "password2": "Nieuw-wachtwoord-2026"})
    assert done.status_code == 303 and done.headers["location"] == "/inloggen"
    reused = await client.get(path)
    assert reused.status_code == 410 and "al gebruikt" in reused.text
    assert 'href="/wachtwoord-vergeten"' in reused.text
    assert (await sign_in(client, "company@example.nl", "Nieuw-wachtwoord-2026")).status_code == 303

    # A link older than an hour: expired, said in Dutch, with the way to a new one.
    client.cookies.clear()
    await form_post(client, "/wachtwoord-vergeten", {"email": "company@example.nl"})
    path = link_in((await mails_to(session_maker, "company@example.nl"))[-1])
    async with session_maker() as session, session.begin():
        await session.execute(update(OneTimeLink).where(OneTimeLink.used_at.is_(None))
                              .values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = await client.get(path)
    assert expired.status_code == 410 and "verlopen" in expired.text
    assert 'href="/wachtwoord-vergeten"' in expired.text
    late = await form_post(client, path, {"password": "Nog-een-wachtwoord-9",
                                          "password2": "Nog-een-wachtwoord-9"},
                           page="/wachtwoord-vergeten")
    assert late.status_code == 410
    assert (await client.get("/wachtwoord-instellen/onzin")).status_code == 404


async def test_invited_colleague_sets_a_password_and_lands_home(client, session_maker) -> None:
    await make_account(session_maker)
    await sign_in(client, "company@example.nl")
    form = await client.get("/account/uitnodigen")
    assert form.status_code == 200 and "Partij 12345678" in form.text
    bad = await form_post(client, "/account/uitnodigen", {"email": "x", "name": "Ana"})
    assert bad.status_code == 400 and "geldig e-mailadres" in bad.text
    header = await form_post(client, "/account/uitnodigen",  # nothing a mail header would mangle
                             {"email": "ana<eve@example.nl", "name": "Ana"})
    assert header.status_code == 400 and "geldig e-mailadres" in header.text
    twice = await form_post(client, "/account/uitnodigen",
                            {"email": "company@example.nl", "name": "Ik"})
    assert twice.status_code == 400 and "bestaat al" in twice.text
    sent = await form_post(client, "/account/uitnodigen",
                           {"email": "ana@example.nl", "name": "Ana de Vries"})
    assert sent.status_code == 303
    [mail] = await mails_to(session_maker, "ana@example.nl")
    assert "Test company nodigt u uit" in mail.text_body and "Partij 12345678" in mail.text_body
    assert "<a href=" in mail.html_body
    path = link_in(mail)
    client.cookies.clear()
    page = await client.get(path)
    assert page.status_code == 200 and "Welkom" in page.text
    # Until a password is set, the invited account cannot sign in.
    assert (await sign_in(client, "ana@example.nl", "Wat-dan-ook-2026")).status_code == 401
    done = await form_post(client, path, {"password": "Ana-haar-wachtwoord",
                                          "password2": "Ana-haar-wachtwoord"})
    assert done.status_code == 303
    landed = await sign_in(client, "ana@example.nl", "Ana-haar-wachtwoord")
    assert landed.headers["location"] == "/mijn"
    async with session_maker() as session:
        ana = await session.scalar(select(Account).where(Account.email == "ana@example.nl"))
        link = await session.scalar(select(OneTimeLink).where(OneTimeLink.account_id == ana.id))
    assert ana.role == "company" and ana.party.code == "12345678"
    assert link.purpose == "invite"
    assert timedelta(days=6, hours=23) < link.expires_at - link.created_at <= timedelta(days=7)


async def test_auditor_must_enrol_totp_then_signs_in_with_a_code(client, session_maker) -> None:
    # The clock stands still in the middle of a 30-second step, so no step boundary falls
    # between enrolling and the "already used" check.
    with clock.stopped() as moment, clock.moved(timedelta(seconds=15 - moment.timestamp() % 30)):
        await _enrol_then_sign_in(client, session_maker, clock.utcnow().timestamp())


async def _enrol_then_sign_in(client, session_maker, now: float) -> None:
    await make_account(session_maker, "auditor")
    first = await sign_in(client, "auditor@example.nl")
    assert first.headers["location"] == "/account/tweestapsverificatie"
    for path in ("/beoordeling", "/account"):  # nothing before enrolling
        away = await client.get(path, follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"] == "/account/tweestapsverificatie"
    page = await client.get("/account/tweestapsverificatie")
    assert page.status_code == 200 and "<svg" in page.text and "<script" not in page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    sig = re.search(r'name="sig" value="([^"]+)"', page.text).group(1)
    csrf = csrf_of(page.text)
    wrong = await client.post("/account/tweestapsverificatie", data={
        "csrf": csrf, "secret": secret, "sig": sig, "code": "000000"})
    assert wrong.status_code == 400 and "code klopt niet" in wrong.text
    forged = await client.post("/account/tweestapsverificatie", follow_redirects=False, data={
        "csrf": csrf, "secret": "A" * 32, "sig": sig, "code": pyotp.TOTP("A" * 32).at(now)})
    assert forged.status_code == 303  # a secret the page did not hand out is refused
    done = await client.post("/account/tweestapsverificatie", data={
        "csrf": csrf, "secret": secret, "sig": sig, "code": pyotp.TOTP(secret).at(now)})
    assert done.status_code == 200 and "herstelcodes" in done.text
    codes = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", done.text)
    assert len(codes) == 10
    async with session_maker() as session:
        stored = list(await session.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashed
    assert (await client.get("/beoordeling")).status_code == 200

    await form_post(client, "/uitloggen", {}, page="/account")
    second = await sign_in(client, "auditor@example.nl")
    assert second.headers["location"] == "/inloggen/code"
    halfway = await client.get("/beoordeling", follow_redirects=False)
    assert halfway.headers["location"] == "/inloggen/code"  # the password alone is not enough
    bad = await form_post(client, "/inloggen/code", {"code": "123456"})
    assert bad.status_code == 401 and "code klopt niet" in bad.text
    # The code used for enrolling is used up (RFC 6238 5.2); the next step's code (accepted
    # for clock drift) works, without waiting 30 seconds.
    used = await form_post(client, "/inloggen/code", {"code": pyotp.TOTP(secret).at(now)})
    assert used.status_code == 401
    ok = await form_post(client, "/inloggen/code",
                         {"code": pyotp.TOTP(secret).at(now + 30)})
    assert ok.status_code == 303 and ok.headers["location"] == "/beoordeling"
    assert (await client.get("/beoordeling")).status_code == 200

    # A recovery code works once, instead of the app's code.
    await form_post(client, "/uitloggen", {}, page="/account")
    await sign_in(client, "auditor@example.nl")
    assert (await form_post(client, "/inloggen/code", {"code": codes[0]})).status_code == 303
    await form_post(client, "/uitloggen", {}, page="/account")
    await sign_in(client, "auditor@example.nl")
    assert (await form_post(client, "/inloggen/code", {"code": codes[0]})).status_code == 401


async def test_totp_removal_needs_the_password(client, session_maker) -> None:
    secret = pyotp.random_base32()
    await make_account(session_maker, totp=secret)
    await sign_in(client, "company@example.nl")
    await form_post(client, "/inloggen/code", {"code": pyotp.TOTP(secret).now()})
    refused = await form_post(client, "/account/tweestapsverificatie/verwijderen",
                              {"password": "fout"}, page="/account")
    assert refused.status_code == 400 and "wachtwoord klopt niet" in refused.text
    done = await form_post(client, "/account/tweestapsverificatie/verwijderen",
                           {"password": PASSWORD}, page="/account")
    assert done.status_code == 303
    await form_post(client, "/uitloggen", {}, page="/account")
    assert (await sign_in(client, "company@example.nl")).headers["location"] == "/mijn"


async def test_personal_tokens_act_as_the_person(client, session_maker) -> None:
    await make_account(session_maker, "municipality")
    await sign_in(client, "municipality@example.nl")
    empty = await form_post(client, "/account/tokens", {"label": ""}, page="/account")
    assert empty.status_code == 400 and "Geef het token een naam" in empty.text
    made = await form_post(client, "/account/tokens", {"label": "Boekhouding"}, page="/account")
    token = re.search(r'id="new-token">(pso_[^<]+)<', made.text).group(1)
    auth = {"Authorization": f"Bearer {token}"}
    def scheme(code: str) -> dict[str, object]:
        return {"title": "Regeling", "municipalityCode": code, "voucherAmount": "1000.00",
                "budget": "5000.00", "applicationOpensOn": "2026-01-01",
                "applicationClosesOn": "2026-12-31", "voucherValidityDays": 90,
                "maxFte": "100", "eligibleMunicipalityCodes": [code]}

    made_scheme = await client.post("/api/v1/voucher-schemes", headers=auth, json=scheme("GM0363"))
    assert made_scheme.status_code == 201, made_scheme.text
    other = await client.post("/api/v1/voucher-schemes", headers=auth, json=scheme("GM0200"))
    assert other.status_code == 403  # the tenant is the account's party
    page = await client.get("/account")
    token_id = re.search(r'action="/account/tokens/(\d+)/intrekken"', page.text).group(1)
    assert "Boekhouding" in page.text and token not in page.text  # shown only once
    revoked = await form_post(client, f"/account/tokens/{token_id}/intrekken", {},
                              page="/account")
    assert revoked.status_code == 303
    assert (await client.get("/api/v1/voucher-schemes/1", headers=auth)).status_code == 401


async def test_revoking_a_person_ends_sessions_and_tokens(client, session_maker) -> None:
    account = await make_account(session_maker, "admin")
    async with session_maker() as session, session.begin():
        _, token = await accounts.create_token(session, await session.get(Account, account.id),
                                               "script")
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/audit-events", headers=auth)).status_code == 200
    await sign_in(client, "admin@example.nl")
    async with session_maker() as session, session.begin():
        _, changed = await accounts.revoke_account(session, SYSTEM, "ADMIN@example.nl")
        assert changed
    assert (await client.get("/api/v1/audit-events", headers=auth)).status_code == 401
    assert (await client.get("/account", follow_redirects=False)).status_code == 303
    assert (await sign_in(client, "admin@example.nl")).status_code == 401
    async with session_maker() as session:
        tokens = list(await session.scalars(select(User).where(User.account_id == account.id)))
    assert all(t.revoked_at is not None for t in tokens)


POST_FORMS = ["/inloggen", "/inloggen/code", "/wachtwoord-vergeten", "/account/wachtwoord",
              "/account/tweestapsverificatie", "/account/tokens", "/account/uitnodigen",
              "/account/tweestapsverificatie/verwijderen", "/uitloggen"]


async def test_every_form_needs_its_csrf_token(client, session_maker) -> None:
    await make_account(session_maker)
    await sign_in(client, "company@example.nl")
    before = session_cookie(client)
    for url in POST_FORMS:
        response = await client.post(url, data={"email": "company@example.nl",
                                                "password": PASSWORD, "label": "x",
                                                "current": PASSWORD, "name": "x"},
                                     follow_redirects=False)
        assert response.status_code in (303, 400), (url, response.status_code)
    async with session_maker() as session:
        assert await session.scalar(select(User)) is None  # no token was made
        assert await session.scalar(select(OutboxMail)) is None
        ended = await session.scalar(select(WebSession.ended_at).where(
            WebSession.id_hash == accounts.sha256(before)))
    assert ended is None  # not logged out either


async def test_weak_password_from_the_command_line_is_refused(session_maker) -> None:
    async with session_maker() as session, session.begin():
        party = await accounts.ensure_party(session, "admin", "admin")
        with pytest.raises(accounts.AccountError, match="minstens 12"):
            await accounts.create_account(session, SYSTEM, email="a@example.nl", name="A",
                                          role="admin", party=party, password="kort")
        with pytest.raises(accounts.AccountError, match="past niet"):
            await accounts.create_account(session, SYSTEM, email="a@example.nl", name="A",
                                          role="company", party=party, password=PASSWORD)


async def test_emails_for_party(session_maker) -> None:
    await make_account(session_maker, email="b@example.nl")
    await make_account(session_maker, email="a@example.nl")
    await make_account(session_maker, "municipality")
    async with session_maker() as session, session.begin():
        assert await accounts.emails_for_party(session, "applicant", "12345678") == [
            "a@example.nl", "b@example.nl"]
        await accounts.revoke_account(session, SYSTEM, "b@example.nl")
    async with session_maker() as session:
        assert await accounts.emails_for_party(session, "applicant", "12345678") == [
            "a@example.nl"]
        assert await accounts.emails_for_party(session, "buyer", "12345678") == []


async def test_cookies_are_secure_behind_https(settings) -> None:
    from litestar.testing import AsyncTestClient

    from pso.app import create_app

    async with AsyncTestClient(app=create_app(settings), base_url="https://pso.test") as https:
        page = await https.get("/inloggen")
    assert "secure" in page.headers["set-cookie"].lower()


async def test_after_sign_in_only_own_paths_are_followed(client, session_maker) -> None:
    await make_account(session_maker)
    wanted = await client.get("/account", follow_redirects=False)
    assert wanted.headers["location"] == "/inloggen?volgende=/account"
    page = await client.get("/inloggen?volgende=/account")
    assert 'name="volgende" value="/account"' in page.text
    back = await client.post("/inloggen", follow_redirects=False, data={
        "email": "company@example.nl", "password": PASSWORD, "csrf": csrf_of(page.text),
        "volgende": "/account"})
    assert back.headers["location"] == "/account"
    for evil in ("//evil.example", "https://evil.example/", "/\\evil.example"):
        client.cookies.clear()
        done = await form_post(client, "/inloggen", {"email": "company@example.nl",
                                                     "password": PASSWORD, "volgende": evil})
        assert done.headers["location"] == "/mijn", evil


async def test_bad_sign_in_input_is_a_plain_refusal(client, session_maker) -> None:
    await make_account(session_maker)
    for data in ({}, {"email": "", "password": ""}, {"email": "x" * 2000, "password": "y"},
                 {"email": "company@example.nl", "password": "p" * 5000}):
        response = await form_post(client, "/inloggen", data)
        assert response.status_code == 401, data
        assert "Het e-mailadres of het wachtwoord klopt niet." in response.text
    code = await client.get("/inloggen/code", follow_redirects=False)
    assert code.status_code == 303 and code.headers["location"] == "/inloggen"


async def test_showing_the_enrolment_page_stores_nothing(client, session_maker) -> None:
    await make_account(session_maker, "admin")
    await sign_in(client, "admin@example.nl")
    first = await client.get("/account/tweestapsverificatie")
    second = await client.get("/account/tweestapsverificatie")
    secret = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
    assert secret.search(first.text).group(1) != secret.search(second.text).group(1)
    async with session_maker() as session:
        stored = await session.scalar(select(Account).where(Account.email == "admin@example.nl"))
    assert stored.totp_secret is None and stored.totp_enabled_at is None


async def test_admin_links_a_buying_organisation_to_its_municipality(
        client, session_maker) -> None:
    """Issue 28 item 8: the municipality a buyer buys for, typed by name, in the audit log."""
    secret = pyotp.random_base32()
    await make_account(session_maker, "admin", totp=secret)
    await sign_in(client, "admin@example.nl")
    await form_post(client, "/inloggen/code", {"code": pyotp.TOTP(secret).now()})

    def person(**fields: str) -> dict[str, str]:
        return {"email": "ina@inkoop.nl", "name": "Ina", "role": "procurement",
                "party": "30280353", "party_name": "Inkoop Utrecht",
                "party_municipality": "Utrecht", **fields}

    for bad, reason in ((person(party_municipality="Utrech"), "Bedoelt u Utrecht?"),
                        (person(role="company", party="41000021"),
                         "Alleen een inkopende organisatie hoort bij een gemeente.")):
        refused = await form_post(client, "/beheer/accounts", bad)
        assert refused.status_code == 400 and reason in html.unescape(refused.text), bad
    assert (await form_post(client, "/beheer/accounts", person())).status_code == 303
    assert "koopt in voor gemeente Utrecht" in (await client.get("/beheer/accounts")).text
    async with session_maker() as session:
        ina = await session.scalar(select(Account).where(Account.email == "ina@inkoop.nl"))
        assert (ina.party.kind, ina.party.municipality_code) == ("buyer", "GM0344")
        assert await session.scalar(select(AuditEvent.summary).where(
            AuditEvent.action == "party.municipality_set")) == {
            "party": "buyer:30280353", "municipality": "GM0344", "previous": None}


async def test_admin_changes_and_removes_a_buying_organisations_municipality(
        client, session_maker) -> None:
    """Issue 28 item 8: the link is changed (typed by name) or removed later, audited with the
    old and new value; a refused name, a stranger or a missing CSRF token changes nothing."""
    secret = pyotp.random_base32()
    await make_account(session_maker, "admin", totp=secret)
    await make_account(session_maker, "company")
    await make_account(session_maker, "procurement")
    async with session_maker() as session, session.begin():
        party = await accounts.ensure_party(session, "buyer", PARTIES["procurement"])
        await accounts.set_municipality(session, SYSTEM, party, "GM0344")
        url = f"/beheer/accounts/partijen/{party.id}/gemeente"

    async def linked() -> tuple[str | None, list[tuple[str, dict]]]:
        async with session_maker() as session:
            found = await accounts.party_by_id(session, party.id)
            events = await session.execute(select(AuditEvent.action, AuditEvent.summary).where(
                AuditEvent.entity_type == "party").order_by(AuditEvent.id))
            return found.municipality_code, [tuple(e) for e in events]

    await sign_in(client, "company@example.nl")
    token = csrf_of((await client.get("/account")).text)
    stranger = await client.post(url, data={"municipality": "Zutphen", "csrf": token})
    assert stranger.status_code == 403
    client.cookies.clear()
    await sign_in(client, "admin@example.nl")
    await form_post(client, "/inloggen/code", {"code": pyotp.TOTP(secret).now()})
    page = (await client.get("/beheer/accounts")).text
    assert f'id="gemeente-{party.id}" name="municipality" type="text" value="Utrecht"' in page
    stale = await client.post(url, data={"municipality": "Zutphen"}, follow_redirects=False)
    assert stale.status_code == 303
    for typed, reason in (("Utrech", "Bedoelt u Utrecht?"), ("", "Kies een gemeente."),
                          ("Bergen", "kies Bergen (NH.) of Bergen (L.)")):
        refused = await form_post(client, url, {"municipality": typed}, page="/beheer/accounts")
        assert refused.status_code == 400 and reason in html.unescape(refused.text), typed
        assert f'value="{typed}"' in refused.text and 'aria-invalid="true"' in refused.text
    assert await linked() == ("GM0344", [("party.municipality_set", {
        "party": "buyer:30280353", "municipality": "GM0344", "previous": None})])

    moved = await form_post(client, url, {"municipality": "zutphen"}, page="/beheer/accounts")
    assert moved.status_code == 303
    shown = html.unescape((await client.get("/beheer/accounts")).text)
    assert "Partij 30280353 koopt nu in voor gemeente Zutphen" in shown
    assert "koopt in voor gemeente Zutphen" in shown
    removed = await form_post(client, url, {"municipality": "Zutphen", "loskoppelen": "ja"},
                              page="/beheer/accounts")
    assert removed.status_code == 303
    assert "Partij 30280353 hoort nu bij geen gemeente." in html.unescape(
        (await client.get("/beheer/accounts")).text)
    code, events = await linked()
    assert code is None and events[1:] == [
        ("party.municipality_set", {"party": "buyer:30280353", "municipality": "GM0301",
                                    "previous": "GM0344"}),
        ("party.municipality_removed", {"party": "buyer:30280353", "municipality": None,
                                        "previous": "GM0301"})]
    audit = html.unescape((await client.get("/beheer/audit")).text)
    assert "Inkopende organisatie losgekoppeld van haar gemeente" in audit
    assert "Was: Zutphen" in audit and "Wordt: geen gemeente" in audit
    async with session_maker() as session:
        other = (await session.scalar(select(Account).where(
            Account.email == "company@example.nl"))).party_id
    assert (await form_post(client, url.replace(str(party.id), str(other)),
                            {"municipality": "Ede"}, page="/beheer/accounts")).status_code == 303
    assert "Niet gewijzigd: deze inkopende organisatie bestaat niet." in html.unescape(
        (await client.get("/beheer/accounts")).text)


async def test_admin_makes_the_first_account_of_a_party_and_revokes_people(
        client, session_maker) -> None:
    secret = pyotp.random_base32()
    await make_account(session_maker, "admin", totp=secret)
    await make_account(session_maker, "company")
    await sign_in(client, "company@example.nl")
    assert (await client.get("/beheer/accounts")).status_code == 403
    client.cookies.clear()
    await sign_in(client, "admin@example.nl")
    await form_post(client, "/inloggen/code", {"code": pyotp.TOTP(secret).now()})
    home = await client.get("/beheer")
    assert 'href="/beheer/accounts"' in home.text
    page = await client.get("/beheer/accounts")
    assert page.status_code == 200 and "company@example.nl" in page.text

    def person(**fields: str) -> dict[str, str]:
        return {"email": "ana@apeldoorn.nl", "name": "Ana", "role": "municipality",
                "party": "GM0200", "party_name": "Gemeente Apeldoorn", **fields}

    # No role is chosen for the admin; the municipality is named, not coded.
    assert '<option value="" selected>Kies een rol</option>' in page.text
    for bad, reason in ((person(party="Apeldorn"), "Bedoelt u Apeldoorn?"),
                        (person(email="geen adres"), "geldig e-mailadres"),
                        (person(role=""), "Kies een rol."),
                        (person(role="keizer"), "Kies een rol uit de lijst."),
                        (person(email="company@example.nl"), "bestaat al")):
        refused = await form_post(client, "/beheer/accounts", bad)
        assert refused.status_code == 400 and reason in html.unescape(refused.text), bad
    made = await form_post(client, "/beheer/accounts", person(party="Apeldoorn", party_name=""))
    assert made.status_code == 303
    listed = (await client.get("/beheer/accounts")).text
    assert "Gemeente Apeldoorn" in listed and "GM0200" not in listed and "Uitgenodigd" in listed
    [mail] = await mails_to(session_maker, "ana@apeldoorn.nl")
    assert "Test admin nodigt u uit" in mail.text_body and "Gemeente Apeldoorn" in mail.text_body

    async with session_maker() as session:
        ana = await session.scalar(select(Account).where(Account.email == "ana@apeldoorn.nl"))
        me = await session.scalar(select(Account).where(Account.email == "admin@example.nl"))
    assert ana.party.code == "GM0200"
    # Still invited: a new invitation, a second mail with a link that works too.
    again = await form_post(client, f"/beheer/accounts/{ana.id}/uitnodiging", {},
                            page="/beheer/accounts")
    assert again.status_code == 303
    assert "nieuwe uitnodiging is verstuurd naar ana@apeldoorn.nl" in (
        await client.get("/beheer/accounts")).text
    first, second = await mails_to(session_maker, "ana@apeldoorn.nl")
    assert link_in(first) != link_in(second)
    assert (await client.get(link_in(second))).status_code == 200
    # Revoking asks first; nothing changes until it is confirmed.
    asked = await form_post(client, f"/beheer/accounts/{ana.id}/intrekken", {},
                            page="/beheer/accounts")
    assert asked.status_code == 200 and "Ja, account intrekken" in asked.text
    async with session_maker() as session:
        assert (await session.get(Account, ana.id)).revoked_at is None
    revoked = await form_post(client, f"/beheer/accounts/{ana.id}/intrekken",
                              {"bevestigd": "1"}, page="/beheer/accounts")
    assert revoked.status_code == 303
    listed = (await client.get("/beheer/accounts")).text
    assert "Ingetrokken" in listed and f'action="/beheer/accounts/{ana.id}/herstellen"' in listed
    own = await form_post(client, f"/beheer/accounts/{me.id}/intrekken", {"bevestigd": "1"},
                          page="/beheer/accounts")
    assert own.status_code == 303
    assert "eigen account niet intrekken" in (await client.get("/beheer/accounts")).text
    assert (await client.get(link_in(mail))).status_code == 404  # a revoked person's link
    # And back: reinstated, the invitation works again; the audit log says both in Dutch.
    back = await form_post(client, f"/beheer/accounts/{ana.id}/herstellen", {},
                           page="/beheer/accounts")
    assert back.status_code == 303
    assert "is hersteld en heeft nog geen wachtwoord" in (await client.get("/beheer/accounts")).text
    async with session_maker() as session:
        assert (await session.get(Account, ana.id)).revoked_at is None
    assert (await client.get(link_in(second))).status_code == 200
    audit = (await client.get("/beheer/audit")).text
    assert "Account hersteld" in audit and "Uitnodiging opnieuw verstuurd" in audit


async def test_audit_events_name_the_person(client, session_maker) -> None:
    account = await make_account(session_maker, "admin")
    async with session_maker() as session, session.begin():
        _, token = await accounts.create_token(session, await session.get(Account, account.id),
                                               "script")
    await sign_in(client, "admin@example.nl", "Fout-wachtwoord-99")
    events = (await client.get("/api/v1/audit-events", params={"pageSize": 200},
                               headers={"Authorization": f"Bearer {token}"})).json()["items"]
    made = next(e for e in events if e["action"] == "user.created")
    assert made["actorAccountId"] == account.id
    failed = next(e for e in events if e["action"] == "account.sign_in_failed")
    assert failed["actorAccountId"] == account.id and failed["entityId"] == str(account.id)
    assert failed["summary"]["address"] == "testclient"


async def test_an_auditor_cannot_invite_a_second_account(client, session_maker) -> None:
    """Issue 20.3: the only auditor of a body invites an account for their own second
    address, and would approve their own review with it. Only an admin adds people to a
    certifying body; nothing is created and no mail is sent."""
    secret = pyotp.random_base32()
    await make_account(session_maker, "auditor", totp=secret)
    await sign_in(client, "auditor@example.nl")
    assert (await form_post(client, "/inloggen/code",
                            {"code": pyotp.TOTP(secret).now()})).status_code == 303
    assert "/account/uitnodigen" not in (await client.get("/account")).text
    form = await client.get("/account/uitnodigen")
    assert "alleen door een beheerder" in form.text and 'name="email"' not in form.text
    refused = await form_post(client, "/account/uitnodigen",
                              {"email": "mijn-tweede@example.nl", "name": "Ik nog eens"},
                              page="/account")
    assert refused.status_code == 403 and "alleen door een beheerder" in refused.text
    async with session_maker() as session:
        assert await accounts.find_account(session, "mijn-tweede@example.nl") is None
    assert await mails_to(session_maker, "mijn-tweede@example.nl") == []
    async with session_maker() as session, session.begin():  # the service refuses it too
        auditor = await accounts.find_account(session, "auditor@example.nl")
        with pytest.raises(accounts.AccountError, match="alleen door een beheerder"):
            await accounts.invite(session, auditor, email="x@example.nl", name="X",
                                  public_url="http://test")
