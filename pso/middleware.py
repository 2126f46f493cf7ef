"""Headers on every response (errors included) and a request id for the logs."""

from __future__ import annotations

import re
import uuid

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from pso import API_VERSION

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


_ALWAYS = (b"api-version", b"x-request-id")
# Raw (name, value) pairs, built once: the middleware runs on every response, so it works on
# the ASGI header list directly instead of a headers object (half the cost of a liveness
# request before).
_DEFAULTS = tuple((name.lower().encode("latin-1"), value.encode("latin-1"))
                  for name, value in SECURITY_HEADERS.items())
_API_VERSION = API_VERSION.encode("latin-1")


def headers_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        rid = ""
        # Answers to a request with a token are personal (or may be): never cached, also
        # not a public resource such as a certificate PDF fetched with a token.
        authenticated = False
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                rid = value.decode("latin-1")
            elif name == b"authorization":
                authenticated = True
        if not rid or not _SAFE_ID.match(rid):
            rid = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(name, value) for name, value in message.get("headers") or ()
                           if name.lower() not in _ALWAYS]
                present = {name.lower() for name, _ in headers}
                headers.append((b"api-version", _API_VERSION))
                headers.append((b"x-request-id", rid.encode("latin-1")))
                headers.extend(pair for pair in _DEFAULTS if pair[0] not in present)
                if authenticated:
                    headers = [pair for pair in headers if pair[0].lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
