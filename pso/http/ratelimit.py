"""Per-client request limits on the public endpoints (PSO_RATE_LIMIT requests per minute).

A fixed one-minute window per client IP. With PSO_REDIS_URL the counters live in Redis,
so every instance shares them; otherwise each process counts for itself. When Redis
fails, the process falls back to its own counters instead of refusing or waving through
all traffic: the public pages stay up and are still limited.

The client is `scope["client"]`: the socket peer, or, when that peer is one of
PSO_TRUSTED_PROXIES, the address it forwarded (pso/http/proxy.py). An IPv6 client counts per
/64 network (one household or office gets a whole /64 and could rotate through it).
Signing in has a bucket of its own, so an office reading the public register all morning
does not lock a colleague out of /inloggen. The path is matched after
the same normalisation the router applies (`//` collapsed, trailing `/` dropped), so
`/api//v1/score` is limited exactly like `/api/v1/score`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils import normalize_path

from pso.errors import PROBLEM_JSON, ProblemError

log = logging.getLogger("pso.ratelimit")

WINDOW_SECONDS = 60
DEFAULT_PREFIX = "pso:ratelimit"

# (method, path prefix): the public, anonymous and comparatively expensive operations.
# One list here, so handler modules need not know about limits.
LIMITED_ROUTES: tuple[tuple[str, str], ...] = (
    ("POST", "/api/v1/score"),
    ("GET", "/api/v1/certificates"),
    ("GET", "/register"),
    ("POST", "/api/v1/tender-evaluations"),
    ("POST", "/api/v1/sroi-calculations"),
    ("POST", "/rekentool"),
    ("POST", "/aanbesteding"),
    ("POST", "/api/v1/submissions/employees"),
    ("GET", "/vouchers"),  # public voucher verification (QR): slows down guessing codes
    ("POST", "/inloggen"),  # sign-in also has its own throttling per account and address
    ("POST", "/wachtwoord-vergeten"),
)
# Routes counted in a bucket of their own (the others share "public").
SIGN_IN_ROUTES = frozenset({"/inloggen", "/wachtwoord-vergeten"})


def bucket(method: str, path: str) -> str | None:
    """The counter a request goes to ("public" or "sign-in"), None when not limited."""
    method = "GET" if method == "HEAD" else method
    path = normalize_path(path)  # what the router matches: `/api//v1/score/` is the route
    for m, prefix in LIMITED_ROUTES:
        if method == m and (path == prefix or path.startswith(prefix + "/")):
            return "sign-in" if prefix in SIGN_IN_ROUTES else "public"
    return None


def is_limited(method: str, path: str) -> bool:
    return bucket(method, path) is not None


def wall_clock() -> float:
    """Seconds since the epoch, which the windows are cut from. Looked up at each request,
    so a test can stop it: a burst of requests must not straddle two windows."""
    return time.time()


class MemoryLimiter:
    """Counters in this process only. No awaits inside, so no lock is needed."""

    def __init__(self, limit: int, window: int = WINDOW_SECONDS,
                 clock: Callable[[], float] | None = None) -> None:
        self.limit, self.window = limit, window
        self.clock = clock or (lambda: wall_clock())
        self._current = -1
        self._counts: dict[str, int] = {}

    async def hit(self, client: str) -> tuple[bool, int]:
        """Count one request; returns (allowed, seconds until the window resets)."""
        now = self.clock()
        current = int(now // self.window)
        if current != self._current:  # a new window: old counters are worthless
            self._current, self._counts = current, {}
        count = self._counts.get(client, 0) + 1
        self._counts[client] = count
        reset = max(1, math.ceil((current + 1) * self.window - now))
        return count <= self.limit, reset

    async def close(self) -> None:
        return None


# INCR and EXPIRE in one round trip and atomically: a crash between them cannot leave
# a counter that never expires.
_HIT_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
"""


class RedisLimiter:
    """Counters in Redis, shared by every instance that uses the same URL and prefix."""

    def __init__(self, url: str, limit: int, *, prefix: str = DEFAULT_PREFIX,
                 window: int = WINDOW_SECONDS) -> None:
        import redis.asyncio as redis

        self.limit, self.window, self.prefix = limit, window, prefix
        # Short timeouts: a slow Redis must not make every public request slow.
        self.redis = redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.script = self.redis.register_script(_HIT_SCRIPT)
        self.fallback = MemoryLimiter(limit, window)
        self._warned_at = 0.0

    async def hit(self, client: str) -> tuple[bool, int]:
        window_index = int(wall_clock() // self.window)
        key = f"{self.prefix}:{window_index}:{client}"
        try:
            count, pttl = await self.script(keys=[key], args=[self.window * 1000])
        except Exception as exc:  # noqa: BLE001 - any Redis trouble: count locally
            now = time.monotonic()
            if now - self._warned_at > 60:
                self._warned_at = now
                log.warning("rate limit store unavailable, counting per process: %s", exc)
            return await self.fallback.hit(client)
        reset = max(1, math.ceil(int(pttl) / 1000)) if int(pttl) > 0 else self.window
        return int(count) <= self.limit, reset

    async def close(self) -> None:
        await self.redis.aclose()


Limiter = MemoryLimiter | RedisLimiter


def make_limiter(limit: int, redis_url: str | None, *, prefix: str | None = None
                 ) -> Limiter | None:
    """None when limits are off (PSO_RATE_LIMIT=0)."""
    if limit <= 0:
        return None
    if redis_url:
        return RedisLimiter(redis_url, limit, prefix=prefix or DEFAULT_PREFIX)
    return MemoryLimiter(limit)


def client_key(scope: Scope) -> str:
    client = scope.get("client")
    return network_of(client[0]) if client else "unknown"


def network_of(address: str) -> str:
    """What one client is when counting: an IPv4 address, or an IPv6 address's /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def rate_limit_middleware(app: ASGIApp, limiter: Limiter) -> ASGIApp:
    """Answers 429 problem details before the request reaches auth, database or handler."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        if root_path := scope.get("root_path", ""):  # as the router strips it
            path = path.split(root_path, maxsplit=1)[-1]
        kind = bucket(scope["method"], path) if scope["type"] == "http" else None
        if kind is None:
            await app(scope, receive, send)
            return
        allowed, reset = await limiter.hit(f"{kind}:{client_key(scope)}")
        if allowed:
            await app(scope, receive, send)
            return
        await _too_many(scope, send, limiter.limit, reset)

    return middleware


async def _too_many(scope: Scope, send: Send, limit: int, reset: int) -> None:
    problem = ProblemError(
        f"Te veel verzoeken: maximaal {limit} per minuut. Probeer het over {reset} seconden "
        "opnieuw.",
        status=429, slug="rate-limited", retryAfter=reset,
    )
    body: dict[str, Any] = problem.body(scope["path"])
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send({
        "type": "http.response.start",
        "status": 429,
        "headers": [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(payload)).encode()),
            (b"retry-after", str(reset).encode()),
        ],
    })
    await send({"type": "http.response.body", "body": payload})
