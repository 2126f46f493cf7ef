"""415 for API bodies that are not declared JSON.

Every JSON operation of the API reads `application/json` (or a `+json` type); a body sent
as text/plain, a form, multipart or without a Content-Type never reaches the business
rules. Operations that take another encoding say so with `opt={"body_media": ...}` on the
route (the employee-list upload: multipart/form-data). Requests without a body (actions
such as `submit`, or a suspension without reason) pass: there is nothing to misread.
"""

from __future__ import annotations

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from pso.errors import ProblemError

BODY_METHODS = {"POST", "PUT", "PATCH"}
JSON = "application/json"
MULTIPART = "multipart/form-data"


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def has_body(headers: dict[bytes, bytes]) -> bool:
    if b"transfer-encoding" in headers:
        return True
    try:
        return int(headers.get(b"content-length", b"0") or 0) > 0
    except ValueError:
        return True


def media_type(headers: dict[bytes, bytes]) -> str:
    value = headers.get(b"content-type", b"").decode("latin-1")
    return value.split(";", 1)[0].strip().lower()


def is_json(media: str) -> bool:
    kind, _, sub = media.partition("/")
    return kind == "application" and (sub == "json" or sub.endswith("+json"))


class JsonBodyMiddleware(ASGIMiddleware):
    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["method"] in BODY_METHODS and scope["path"].startswith("/api/"):
            headers = _headers(scope)
            handler = scope.get("route_handler")
            expected = (getattr(handler, "opt", None) or {}).get("body_media", JSON)
            if has_body(headers):
                media = media_type(headers)
                if not (is_json(media) if expected == JSON else media == expected):
                    raise ProblemError(
                        "Stuur de gegevens als JSON (Content-Type: application/json)."
                        if expected == JSON else
                        f"Stuur de gegevens als {expected}.",
                        status=415, slug="unsupported-media-type",
                    )
        await next_app(scope, receive, send)
