"""Issue 20.7: sign-in throttling counts an IPv6 /64 as one client and each account across
all addresses (password and second factor alike); the request limit gives sign-in a
bucket of its own."""

from __future__ import annotations

import pyotp
import pytest
from litestar.testing import AsyncTestClient

from pso.app import create_app
from pso.http import ratelimit
from pso.http.ratelimit import network_of
from pso.services import accounts
from pso.settings import Settings
from tests.web.test_accounts import PASSWORD, make_account

pytestmark = pytest.mark.anyio
EMAIL = "company@example.nl"


async def password_try(session_maker, address: str, password: str = "Fout-fout-fout-1",
                       email: str = EMAIL) -> bool | None:
    """True/False for a (wrong) password's outcome, None when throttled."""
    async with session_maker() as session, session.begin():
        try:
            return await accounts.authenticate(session, email, password, address) is not None
        except accounts.Throttled:
            return None


async def test_one_ipv6_64_is_one_client(session_maker) -> None:
    await make_account(session_maker)
    assert network_of("2001:db8:1:2:aaaa::1") == network_of("2001:db8:1:2:ffff::9")
    for i in range(5):  # five addresses of one /64
        assert await password_try(session_maker, f"2001:db8:1:2::{i + 1:x}") is False
    assert await password_try(session_maker, "2001:db8:1:2::99", PASSWORD) is None
    # Another /64 is another client (the account limit is further away).
    assert await password_try(session_maker, "2001:db8:1:3::1", PASSWORD) is True


async def test_an_account_is_throttled_across_addresses(session_maker) -> None:
    secret = pyotp.random_base32()
    await make_account(session_maker, totp=secret)
    for i in range(accounts.MAX_FAILURES_PER_ACCOUNT - 4):  # wrong passwords, 4 per address
        assert await password_try(session_maker, f"10.0.{i // 4}.{i % 4 + 1}") is False
    # Wrong codes at the second step, from yet other addresses, count for the account too.
    async with session_maker() as session, session.begin():
        account = await accounts.find_account(session, EMAIL)
        for i in range(4):
            assert await accounts.second_factor(session, account, "000000",
                                                f"192.168.7.{i + 1}") is False
    # 20 failures in all: a fresh address gets neither step, even with the right answers.
    assert await password_try(session_maker, "172.16.0.1", PASSWORD) is None
    async with session_maker() as session, session.begin():
        account = await accounts.find_account(session, EMAIL)
        with pytest.raises(accounts.Throttled) as caught:
            await accounts.second_factor(session, account, pyotp.TOTP(secret).now(), "172.16.0.2")
    assert 5 * 3600 < caught.value.retry_after <= 6 * 3600


async def test_register_reads_do_not_lock_out_sign_in(migrated_urls, monkeypatch) -> None:
    # 20 s into a one-minute window for the whole burst (it once straddled two windows)
    monkeypatch.setattr(ratelimit, "wall_clock", lambda: 1_200_020.0)
    settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": migrated_urls["sqlite"],
                                  "PSO_RATE_LIMIT": "120"})
    async with AsyncTestClient(app=create_app(settings)) as client:
        for _ in range(120):
            assert (await client.get("/register")).status_code == 200
        assert (await client.get("/register")).status_code == 429  # the 121st read
        signing_in = await client.post("/inloggen", data={"email": EMAIL, "password": "x"})
        assert signing_in.status_code != 429, signing_in.text
