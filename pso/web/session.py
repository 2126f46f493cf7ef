"""A small signed session cookie for the municipality pages, with per-form CSRF tokens.

The cookie holds only a random nonce, the user id, an expiry and at most one message to
show once; it is signed with HMAC-SHA256 under settings.secret_key, so it cannot be
forged or altered. It is HttpOnly, SameSite=Lax and limited to /gemeente; Secure when
the service runs behind https. Logging in replaces the nonce (no session fixation).

CSRF: every form carries HMAC(secret, "csrf:" + nonce). The JSON API is not touched: it
uses bearer tokens, which a browser never sends by itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

COOKIE = "pso_gemeente"
PATH = "/gemeente"
LIFETIME = 8 * 3600  # a working day; then log in again
MAX_COOKIE = 4000


@dataclass(frozen=True)
class Session:
    nonce: str
    user_id: int | None = None
    expires: int = 0
    flash: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), b"session:" + payload.encode(), hashlib.sha256).digest())


def new_session(user_id: int | None = None) -> Session:
    return Session(secrets.token_urlsafe(18), user_id, int(time.time()) + LIFETIME)


def encode(session: Session, secret: str) -> str:
    data: dict[str, Any] = {"n": session.nonce, "u": session.user_id, "e": session.expires}
    if session.flash:
        data["f"] = session.flash[:500]
    payload = _b64(json.dumps(data, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def decode(value: str | None, secret: str) -> Session | None:
    """The session in a cookie value, or None when absent, altered or expired."""
    if not value or len(value) > MAX_COOKIE or "." not in value:
        return None
    payload, signature = value.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    try:
        data = json.loads(_unb64(payload))
        session = Session(str(data["n"]), data.get("u"), int(data["e"]), data.get("f"))
    except (ValueError, KeyError, TypeError):
        return None
    if session.expires < time.time() or not (session.user_id is None
                                             or isinstance(session.user_id, int)):
        return None
    return session


def read(request: Request, secret: str) -> Session | None:
    return decode(request.cookies.get(COOKIE), secret)


def cookie(request: Request, session: Session | None, secret: str, public_url: str) -> Cookie:
    """The Set-Cookie for `session`; None clears the cookie."""
    secure = request.url.scheme == "https" or public_url.startswith("https://")
    if session is None:
        return Cookie(key=COOKIE, value="", path=PATH, max_age=0, httponly=True,
                      samesite="lax", secure=secure)
    return Cookie(key=COOKIE, value=encode(session, secret), path=PATH, httponly=True,
                  samesite="lax", secure=secure, max_age=max(0, session.expires - int(time.time())))


def with_flash(session: Session, message: str | None) -> Session:
    return replace(session, flash=message)


def csrf_token(session: Session, secret: str) -> str:
    return _b64(hmac.new(secret.encode(), b"csrf:" + session.nonce.encode(),
                         hashlib.sha256).digest())


def csrf_ok(session: Session | None, token: str, secret: str) -> bool:
    return session is not None and hmac.compare_digest(token.encode(),
                                                       csrf_token(session, secret).encode())
