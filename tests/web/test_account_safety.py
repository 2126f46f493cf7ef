"""Issue 20.8: reset links end after a password change or a newer link; reset and
invitation mails are limited per recipient; inviting another party's address reveals
nothing; a new password ends the person's API tokens; easy passwords are refused by a
well-kept estimator (zxcvbn) as well as the common-passwords list."""

from __future__ import annotations

import re

import pytest

from pso.passwords import weakness
from pso.services import accounts
from tests.web.test_accounts import (
    PASSWORD,
    form_post,
    link_in,
    mails_to,
    make_account,
    sign_in,
)

pytestmark = pytest.mark.anyio
EMAIL = "company@example.nl"
NEW = "Nieuw-wachtwoord-2026"


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_easy_passwords_are_refused() -> None:
    for easy in ("wachtwoord1234", "aaaaaaaaaaaa", "123456789012", "Wachtwoord-2026",
                 "qwertyuiop12"):
        assert weakness(easy) is not None, easy
    assert "te makkelijk te raden" in weakness("aaaaaaaaaaaa")
    assert weakness("jan.jansen2026", "jan.jansen@example.nl") is not None
    for good in (PASSWORD, NEW, "Ana-haar-wachtwoord", "paard-batterij-nietje-correct"):
        assert weakness(good) is None, good


async def test_reset_links_end_after_a_newer_link_and_a_password_change(
        client, session_maker) -> None:
    await make_account(session_maker)
    for _ in range(2):
        await form_post(client, "/wachtwoord-vergeten", {"email": EMAIL})
    first, second = [link_in(m) for m in await mails_to(session_maker, EMAIL)]
    assert (await client.get(first)).status_code == 410  # the newer link replaced it
    assert (await client.get(second)).status_code == 200
    # The password is changed on the account page: the remaining link ends too.
    await sign_in(client, EMAIL)
    changed = await form_post(client, "/account/wachtwoord", {
        "current": PASSWORD, "password": NEW, "password2": NEW}, page="/account")
    assert changed.status_code == 303
    assert "API-tokens" in (await client.get("/account")).text
    client.cookies.clear()
    assert (await client.get(second)).status_code == 410


async def test_reset_mails_are_limited_per_recipient(client, session_maker) -> None:
    await make_account(session_maker)
    for _ in range(5):
        answer = await form_post(client, "/wachtwoord-vergeten", {"email": EMAIL})
        assert answer.status_code == 200 and "Als er een account" in answer.text
    assert len(await mails_to(session_maker, EMAIL)) == accounts.MAIL_LIMITS["reset"][0]


async def test_invitations_are_limited_per_recipient(session_maker) -> None:
    account = await make_account(session_maker, password=None, email="ana@example.nl")
    async with session_maker() as session, session.begin():
        account = await accounts.find_account(session, "ana@example.nl")
        for _ in range(3):
            await accounts.invitation_link(session, account, "http://test", inviter="Beheer")
        with pytest.raises(accounts.AccountError, match="al 3 uitnodigingen"):
            await accounts.invitation_link(session, account, "http://test", inviter="Beheer")
    assert len(await mails_to(session_maker, "ana@example.nl")) == 3


async def test_inviting_another_partys_address_reveals_nothing(client, session_maker) -> None:
    await make_account(session_maker)  # company 12345678
    await make_account(session_maker, "municipality", "ambtenaar@example.nl")
    await sign_in(client, EMAIL)
    answer = await form_post(client, "/account/uitnodigen",
                             {"email": "ambtenaar@example.nl", "name": "Wie dan ook"})
    fresh = await form_post(client, "/account/uitnodigen",
                            {"email": "nieuw@example.nl", "name": "Nieuwe collega"})
    assert answer.status_code == fresh.status_code == 303
    assert "Uitnodiging verstuurd naar" in (await client.get("/account/uitnodigen")).text
    async with session_maker() as session:
        existing = await accounts.find_account(session, "ambtenaar@example.nl")
        assert existing.party.kind == "municipality"  # not moved, no second account
    [mail] = await mails_to(session_maker, "ambtenaar@example.nl")
    assert "al een account" in mail.text_body and "/wachtwoord-instellen/" not in mail.text_body


async def test_a_new_password_ends_the_persons_api_tokens(client, session_maker) -> None:
    await make_account(session_maker)
    await sign_in(client, EMAIL)
    made = await form_post(client, "/account/tokens", {"label": "Boekhouding"}, page="/account")
    token = re.search(r'id="new-token">(pso_[^<]+)<', made.text).group(1)
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/organizations/12345678", headers=auth)).status_code != 401
    await form_post(client, "/wachtwoord-vergeten", {"email": EMAIL})
    path = link_in((await mails_to(session_maker, EMAIL))[-1])
    client.cookies.clear()
    done = await form_post(client, path, {"password": NEW, "password2": NEW})
    assert done.status_code == 303
    assert (await client.get("/api/v1/organizations/12345678", headers=auth)).status_code == 401
