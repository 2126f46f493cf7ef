"""Headers on every response (errors included), a request id for the logs, and the URI rules
of the API that the router cannot keep (NL API Design Rules, docs/api-design-rules.md).

- `API-Version` (full semver), `X-Request-ID`, the security headers; HSTS when the service
  is public over https (PSO_PUBLIC_URL).
- `Cache-Control: no-store` on every API answer unless its handler chose caching for public
  data (the certificate PDF) and no token was sent; on any answer to a request with a token.
- CORS for /api/: `*` on operations anyone may call without a token (the OpenAPI document,
  the register, the calculators), the origins of PSO_CORS_ORIGINS on the others; never
  credentials. Preflights are answered here, before authentication.
- `/api/...` with a trailing slash is 404 problem details (the router would serve it).
- HEAD on the API is the GET without its body (the router knows only the GET).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from pso import API_VERSION
from pso.errors import PROBLEM_JSON, NotFound

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
}
# One year; no includeSubDomains: other hosts of the operator's domain are not ours to bind.
HSTS = (b"strict-transport-security", b"max-age=31536000")
API_PREFIX = "/api/"

_ALWAYS = (b"api-version", b"x-request-id")
# Raw (name, value) pairs, built once: the middleware runs on every response, so it works on
# the ASGI header list directly instead of a headers object (half the cost of a liveness
# request before).
_DEFAULTS = tuple((name.lower().encode("latin-1"), value.encode("latin-1"))
                  for name, value in SECURITY_HEADERS.items())
_API_VERSION = API_VERSION.encode("latin-1")
_NO_STORE = (b"cache-control", b"no-store")

# CORS (pso.http.middleware.Cors): what a browser script may send and read.
_ALLOW_HEADERS = b"Authorization, Content-Type, Idempotency-Key, X-Request-ID, If-None-Match"
_EXPOSE_HEADERS = (b"API-Version, X-Request-ID, Link, Location, Retry-After, ETag, "
                   b"Content-Disposition")
_ALLOW_METHODS = b"GET, POST, PUT, PATCH, DELETE"
_MAX_AGE = b"600"
_TYPED = {"int": r"-?\d+"}


def _pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", path)
    return re.compile("".join(
        _TYPED.get(part[1:-1].partition(":")[2], "[^/]+") if part.startswith("{")
        else re.escape(part) for part in parts) + "$")


class Cors:
    """Which origin may read an API answer. `public` are the (methods, path) of operations
    without a guard, taken from the app's routes (public_operations), so a new public
    operation is readable from any website without a list to keep."""

    def __init__(self, origins: Iterable[str], public: dict[str, frozenset[str]]) -> None:
        self.origins = frozenset(o.encode("latin-1") for o in origins)
        # A literal path wins over a parameter that would match it (as in the router):
        # GET /api/v1/certificates/expiring is guarded, /api/v1/certificates/{number} not.
        self.literal = {path: methods for path, methods in public.items() if "{" not in path}
        self.templated = [(_pattern(path), methods) for path, methods in public.items()
                          if "{" in path and methods]

    def is_public(self, method: str, path: str) -> bool:
        method = "GET" if method == "HEAD" else method
        if path in self.literal:
            return method in self.literal[path]
        return any(method in methods and pattern.match(path)
                   for pattern, methods in self.templated)

    def headers(self, origin: bytes | None, public: bool) -> list[tuple[bytes, bytes]]:
        if public:
            return [(b"access-control-allow-origin", b"*"),
                    (b"access-control-expose-headers", _EXPOSE_HEADERS)]
        if not self.origins:
            return []
        vary = [(b"vary", b"Origin")]
        if origin in self.origins:
            return [(b"access-control-allow-origin", origin),
                    (b"access-control-expose-headers", _EXPOSE_HEADERS), *vary]
        return vary

    def preflight(self, origin: bytes, method: str, path: str) -> list[tuple[bytes, bytes]] | None:
        """Headers of a 204 answer to a preflight, or None to let the app answer it (and the
        browser refuse the request)."""
        public = self.is_public(method, path)
        if not public and origin not in self.origins:
            return None
        return [*self.headers(origin, public),
                (b"access-control-allow-methods", method.encode("latin-1") if public
                 else _ALLOW_METHODS),
                (b"access-control-allow-headers", _ALLOW_HEADERS),
                (b"access-control-max-age", _MAX_AGE)]


def public_operations(routes: Iterable[object]) -> dict[str, frozenset[str]]:
    """{path: methods anyone may call (no guard)} for every API route path."""
    from litestar.routes import HTTPRoute

    found: dict[str, set[str]] = {}
    for route in routes:
        if isinstance(route, HTTPRoute) and route.path.startswith(API_PREFIX):
            methods = found.setdefault(route.path, set())
            for handler in route.route_handlers:
                if not handler.resolve_guards():
                    methods.update(m for m in handler.http_methods if m != "OPTIONS")
    return {path: frozenset(methods) for path, methods in found.items()}


_TRAILING_SLASH = NotFound(
    "Deze bron bestaat niet: laat de schuine streep aan het eind van het adres weg.")


async def _problem(scope: Scope, send: Send, problem: NotFound) -> None:
    payload = json.dumps(problem.body(scope["path"]), ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": problem.status,
                "headers": [(b"content-type", PROBLEM_JSON.encode()),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


def headers_middleware(app: ASGIApp, *, cors: Cors | None = None, hsts: bool = False
                       ) -> ASGIApp:
    extra = (HSTS,) if hsts else ()

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        rid = ""
        # Answers to a request with a token are personal (or may be): never cached, also
        # not a public resource such as a certificate PDF fetched with a token.
        authenticated = False
        origin: bytes | None = None
        preflight_method: bytes | None = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                rid = value.decode("latin-1")
            elif name == b"authorization":
                authenticated = True
            elif name == b"origin":
                origin = value
            elif name == b"access-control-request-method":
                preflight_method = value
        if not rid or not _SAFE_ID.match(rid):
            rid = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        path: str = scope["path"]
        if path.startswith("//"):  # the router collapses leading slashes: `//api/v1/...`
            path = "/" + path.lstrip("/")
        api = path.startswith(API_PREFIX)
        cors_headers: list[tuple[bytes, bytes]] = []
        if api and cors is not None:
            cors_headers = cors.headers(origin, cors.is_public(scope["method"], path))

        head = api and scope["method"] == "HEAD"

        async def send_with_headers(message: Message) -> None:
            if head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                headers = [(name, value) for name, value in message.get("headers") or ()
                           if name.lower() not in _ALWAYS]
                present = {name.lower() for name, _ in headers}
                headers.append((b"api-version", _API_VERSION))
                headers.append((b"x-request-id", rid.encode("latin-1")))
                headers.extend(pair for pair in _DEFAULTS if pair[0] not in present)
                headers.extend(extra)
                headers.extend(cors_headers)
                if authenticated:
                    headers = [pair for pair in headers if pair[0].lower() != b"cache-control"]
                    headers.append(_NO_STORE)
                elif api and b"cache-control" not in present:
                    headers.append(_NO_STORE)
                message["headers"] = headers
            await send(message)

        if api and path.endswith("/"):
            await _problem(scope, send_with_headers, _TRAILING_SLASH)
            return
        if (api and cors is not None and scope["method"] == "OPTIONS"
                and origin is not None and preflight_method is not None):
            allowed = cors.preflight(origin, preflight_method.decode("latin-1").upper(), path)
            if allowed is not None:
                cors_headers = allowed
                await send_with_headers({"type": "http.response.start", "status": 204,
                                         "headers": []})
                await send_with_headers({"type": "http.response.body", "body": b""})
                return
        await app({**scope, "method": "GET"} if head else scope, receive, send_with_headers)

    return middleware
