"""Rate limits on the public endpoints: in-process and shared through Redis."""

from __future__ import annotations

import socket
import uuid

import pytest
from litestar.testing import AsyncTestClient

from pso.app import create_app
from pso.http import ratelimit
from pso.http.ratelimit import MemoryLimiter, RedisLimiter, is_limited
from pso.settings import Settings
from tests.requirements import missing

pytestmark = pytest.mark.anyio
REDIS_URL = "redis://127.0.0.1:6379/0"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(autouse=True)
def stopped_windows(monkeypatch) -> None:
    """The limiters' clock stands 20 s into a one-minute window, so a test's requests never
    straddle two windows (a burst at hh:mm:59.9 would start counting afresh)."""
    monkeypatch.setattr(ratelimit, "wall_clock", lambda: 1_200_020.0)


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def limited_settings(migrated_urls: dict[str, str], limit: int, redis_url: str | None = None
                     ) -> Settings:
    env = {"PSO_ENV": "test", "PSO_DATABASE_URL": migrated_urls["sqlite"],
           "PSO_RATE_LIMIT": str(limit)}
    if redis_url:
        env["PSO_REDIS_URL"] = redis_url
    return Settings.from_env(env)


def assert_rate_limited(response) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "urn:pso:problem:rate-limited"
    assert body["status"] == 429 and body["title"] and body["detail"]
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    # The outer header middleware still runs for refused requests.
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-ID"]
    return retry_after


def test_only_public_operations_are_limited() -> None:
    assert is_limited("POST", "/api/v1/score")
    assert is_limited("GET", "/api/v1/certificates")
    assert is_limited("HEAD", "/api/v1/certificates/PSO-2026-000001/pdf")
    assert is_limited("GET", "/register/PSO-2026-000001")
    assert is_limited("POST", "/api/v1/tender-evaluations")
    assert is_limited("POST", "/api/v1/sroi-calculations")
    assert is_limited("GET", "/vouchers/ABCD-EFGH")
    assert is_limited("POST", "/inloggen")
    assert is_limited("POST", "/inloggen/code")
    assert is_limited("POST", "/wachtwoord-vergeten")
    assert not is_limited("GET", "/api/v1/score")
    assert not is_limited("GET", "/registerx")
    assert not is_limited("POST", "/api/v1/certificates/PSO-2026-000001/revocation")
    assert not is_limited("GET", "/api/v1/health/live")


async def test_in_process_limit_answers_429_with_retry_after(migrated_urls) -> None:
    app = create_app(limited_settings(migrated_urls, 3))
    async with AsyncTestClient(app=app) as client:
        # Bad input counts too: the limit is about load, not about success.
        for _ in range(2):
            assert (await client.post("/api/v1/score", content=b"{}", headers=JSON)).status_code == 400
        assert (await client.get("/api/v1/certificates")).status_code == 200
        assert_rate_limited(await client.post("/api/v1/score", content=b"{}", headers=JSON))
        assert_rate_limited(await client.get("/register"))
        for _ in range(5):  # unlimited routes keep answering
            assert (await client.get("/api/v1/health/live")).status_code == 200


async def test_zero_switches_limits_off(migrated_urls) -> None:
    async with AsyncTestClient(app=create_app(limited_settings(migrated_urls, 0))) as client:
        for _ in range(20):
            assert (await client.post("/api/v1/score", content=b"{}", headers=JSON)).status_code == 400


async def test_memory_limiter_counts_clients_and_windows_apart() -> None:
    now = [1_200_020.0]  # 20 s into a window
    limiter = MemoryLimiter(2, clock=lambda: now[0])
    assert [(await limiter.hit("a"))[0] for _ in range(3)] == [True, True, False]
    assert (await limiter.hit("b"))[0]
    assert (await limiter.hit("a"))[1] == 40
    now[0] += 40  # the next window starts afresh
    assert (await limiter.hit("a"))[0]


async def test_redis_counts_are_shared_between_instances(migrated_urls, monkeypatch) -> None:
    if not redis_answers():
        missing("no Redis on 127.0.0.1:6379")
    prefix = f"pso:test:{uuid.uuid4().hex}"
    monkeypatch.setattr(ratelimit, "DEFAULT_PREFIX", prefix)
    settings = limited_settings(migrated_urls, 3, REDIS_URL)
    try:
        async with AsyncTestClient(app=create_app(settings)) as one, \
                AsyncTestClient(app=create_app(settings)) as two:
            assert (await one.post("/api/v1/score", content=b"{}", headers=JSON)).status_code == 400
            assert (await one.post("/api/v1/score", content=b"{}", headers=JSON)).status_code == 400
            assert (await two.post("/api/v1/score", content=b"{}", headers=JSON)).status_code == 400
            assert_rate_limited(await two.post("/api/v1/score", content=b"{}", headers=JSON))
            assert_rate_limited(await one.get("/api/v1/certificates"))
    finally:
        import redis.asyncio as redis

        client = redis.from_url(REDIS_URL)
        keys = [key async for key in client.scan_iter(f"{prefix}:*")]
        assert keys, "the counters should have been in Redis"
        await client.delete(*keys)
        await client.aclose()


async def test_redis_down_falls_back_to_counting_per_process() -> None:
    limiter = RedisLimiter("redis://127.0.0.1:1/0", 2, prefix=f"pso:test:{uuid.uuid4().hex}")
    try:
        assert [(await limiter.hit("c"))[0] for _ in range(3)] == [True, True, False]
    finally:
        await limiter.close()


def test_doubled_and_trailing_slashes_are_the_same_route() -> None:
    # The router collapses `//` and drops a trailing `/`; the limiter must see the same path.
    for path in ("/api/v1//score", "/api//v1/score", "//api/v1/score", "/api/v1/score/",
                 "/api/v1///score//"):
        assert is_limited("POST", path), path
    assert is_limited("GET", "/api/v1//certificates")
    assert is_limited("GET", "/api//v1/certificates/PSO-2026-000001/pdf")
    assert is_limited("GET", "//register")
    assert not is_limited("GET", "/api/v1//health/live")


async def test_doubled_slashes_do_not_escape_the_limit(migrated_urls) -> None:
    app = create_app(limited_settings(migrated_urls, 3))
    async with AsyncTestClient(app=app) as client:
        headers = {"Content-Type": "application/json"}
        # A trailing slash is 404 before the limiter (NL API Design Rules): nothing counted.
        assert (await client.post("/api/v1/score/", content=b"{}",
                                  headers=headers)).status_code == 404
        for path in ("/api/v1//score", "/api//v1/score", "/api/v1/score"):
            # Each variant reaches the score handler (400: empty submission) ...
            assert (await client.post(path, content=b"{}", headers=headers)).status_code == 400
        # ... and counts against the same client's limit.
        assert_rate_limited(await client.post("/api/v1//score", content=b"{}", headers=headers))
        assert_rate_limited(await client.get("/api/v1//certificates"))


def _score_statuses(base_url: str, forwarded_for: list[str]) -> list[int]:
    import httpx

    return [
        httpx.post(f"{base_url}/api/v1/score", json={},
                   headers={"X-Forwarded-For": address}, timeout=10).status_code
        for address in forwarded_for
    ]


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(tmp_path) -> None:
    """`pso serve` on loopback: a client that sends X-Forwarded-For does not get a new key
    per request (uvicorn's own default would trust it from 127.0.0.1)."""
    from tests.servers import pso_serve, start_server

    url = f"sqlite+aiosqlite:///{tmp_path / 'proxy.sqlite3'}"
    addresses = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]
    env = {"PSO_RATE_LIMIT": "2"}
    with start_server(url, env, command=pso_serve("--no-demo")) as base_url:
        assert _score_statuses(base_url, addresses) == [400, 400, 429, 429]
    # Trusted: the proxy's forwarded address is the client, each with its own count.
    env["PSO_TRUSTED_PROXIES"] = "127.0.0.1, ::1"
    with start_server(url, env, command=pso_serve("--no-demo")) as base_url:
        assert _score_statuses(base_url, addresses) == [400, 400, 400, 400]
        assert _score_statuses(base_url, ["198.51.100.7"] * 3) == [400, 400, 429]


def test_forwarded_client_takes_the_nearest_untrusted_hop() -> None:
    from pso.http.proxy import forwarded_client
    from pso.settings import parse_trusted

    trusted = parse_trusted("10.0.0.0/8, 127.0.0.1")

    def scope(peer: str, xff: str | None, proto: str | None = None) -> dict:
        headers = [(b"x-forwarded-for", xff.encode())] if xff is not None else []
        if proto:
            headers.append((b"x-forwarded-proto", proto.encode()))
        return {"type": "http", "client": (peer, 5000), "scheme": "http", "headers": headers}

    # Not from a trusted proxy: headers ignored.
    assert forwarded_client(scope("198.51.100.9", "1.2.3.4"), trusted) is None
    assert forwarded_client(scope("198.51.100.9", "1.2.3.4"), ()) is None
    # The client cannot prepend a fake hop: the right-most untrusted address wins.
    assert forwarded_client(scope("127.0.0.1", "6.6.6.6, 1.2.3.4, 10.1.2.3"), trusted) == (
        "1.2.3.4", "http")
    assert forwarded_client(scope("10.0.0.5", "1.2.3.4", "https"), trusted) == (
        "1.2.3.4", "https")
    # Garbage in the header: stop at the last address we can vouch for.
    assert forwarded_client(scope("127.0.0.1", "not-an-ip"), trusted) == ("127.0.0.1", "http")
    assert forwarded_client(scope("127.0.0.1", None), trusted) == ("127.0.0.1", "http")
    with pytest.raises(ValueError):
        parse_trusted("10.0.0.0/8, nonsense")


def test_trusted_proxies_setting_is_checked() -> None:
    from pso.settings import SettingsError

    assert Settings.from_env({"PSO_ENV": "test"}).trusted_proxies == ()
    assert Settings.from_env({"PSO_ENV": "test", "PSO_TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/16"}
                             ).trusted_proxies == ("10.0.0.5", "192.168.0.0/16")
    with pytest.raises(SettingsError):
        Settings.from_env({"PSO_ENV": "test", "PSO_TRUSTED_PROXIES": "proxy.example"})
