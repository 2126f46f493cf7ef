"""Rate limits on the public endpoints: in-process and shared through Redis."""

from __future__ import annotations

import socket
import uuid

import pytest
from litestar.testing import AsyncTestClient

from pso import ratelimit
from pso.app import create_app
from pso.ratelimit import MemoryLimiter, RedisLimiter, is_limited
from pso.settings import Settings

pytestmark = pytest.mark.anyio
REDIS_URL = "redis://127.0.0.1:6379/0"


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
            assert (await client.post("/api/v1/score", content=b"{}")).status_code == 400
        assert (await client.get("/api/v1/certificates")).status_code == 200
        assert_rate_limited(await client.post("/api/v1/score", content=b"{}"))
        assert_rate_limited(await client.get("/register"))
        for _ in range(5):  # unlimited routes keep answering
            assert (await client.get("/api/v1/health/live")).status_code == 200


async def test_zero_switches_limits_off(migrated_urls) -> None:
    async with AsyncTestClient(app=create_app(limited_settings(migrated_urls, 0))) as client:
        for _ in range(20):
            assert (await client.post("/api/v1/score", content=b"{}")).status_code == 400


async def test_memory_limiter_counts_clients_and_windows_apart() -> None:
    now = [1_200_020.0]  # 20 s into a window
    limiter = MemoryLimiter(2, clock=lambda: now[0])
    assert [(await limiter.hit("a"))[0] for _ in range(3)] == [True, True, False]
    assert (await limiter.hit("b"))[0]
    assert (await limiter.hit("a"))[1] == 40
    now[0] += 40  # the next window starts afresh
    assert (await limiter.hit("a"))[0]


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
async def test_redis_counts_are_shared_between_instances(migrated_urls, monkeypatch) -> None:
    prefix = f"pso:test:{uuid.uuid4().hex}"
    monkeypatch.setattr(ratelimit, "DEFAULT_PREFIX", prefix)
    settings = limited_settings(migrated_urls, 3, REDIS_URL)
    try:
        async with AsyncTestClient(app=create_app(settings)) as one, \
                AsyncTestClient(app=create_app(settings)) as two:
            assert (await one.post("/api/v1/score", content=b"{}")).status_code == 400
            assert (await one.post("/api/v1/score", content=b"{}")).status_code == 400
            assert (await two.post("/api/v1/score", content=b"{}")).status_code == 400
            assert_rate_limited(await two.post("/api/v1/score", content=b"{}"))
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
