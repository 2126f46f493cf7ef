"""Proxy headers, trusted only from the proxies named in PSO_TRUSTED_PROXIES.

The server stack (`pso serve`, tests/servers.py) never applies `X-Forwarded-For` itself
(uvicorn's default trusts it from loopback, so any local proxy that passes the header on
would let clients choose their own rate-limit key). This ASGI step does it instead, inside
the app, so it works the same whatever ASGI server runs the app:

- the direct peer (`scope["client"]`) is in PSO_TRUSTED_PROXIES (addresses or CIDRs,
  comma-separated, empty by default): the client becomes the right-most address in
  `X-Forwarded-For` that is not itself a trusted proxy, and `X-Forwarded-Proto`
  (http/https) sets the scheme;
- otherwise the headers are ignored and the peer stays the client.
"""

from __future__ import annotations

import ipaddress

from litestar.types import ASGIApp, Receive, Scope, Send

from pso.settings import Network


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in trusted)


def _header(scope: Scope, name: bytes) -> str | None:
    values = [v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == name]
    return ",".join(values) if values else None


def forwarded_client(scope: Scope, trusted: tuple[Network, ...]) -> tuple[str, str] | None:
    """(client address, scheme) from the proxy headers, or None to keep the peer."""
    peer = scope.get("client")
    if not trusted or not peer or not _is_trusted(peer[0], trusted):
        return None
    scheme = scope.get("scheme", "http")
    proto = (_header(scope, b"x-forwarded-proto") or "").split(",")[-1].strip().lower()
    if proto in {"http", "https"}:
        scheme = proto
    chain = [part.strip() for part in (_header(scope, b"x-forwarded-for") or "").split(",")]
    chain = [part for part in chain if part]
    client = peer[0]
    for address in reversed(chain):  # right to left: the nearest hop first
        try:
            ipaddress.ip_address(address)
        except ValueError:
            break  # garbage from further out: stop at the last address we can vouch for
        client = address
        if not _is_trusted(address, trusted):
            break
    return client, scheme


def proxy_headers_middleware(app: ASGIApp, trusted: tuple[Network, ...]) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in {"http", "websocket"} and trusted:
            found = forwarded_client(scope, trusted)
            if found is not None:
                client, scheme = found
                scope = dict(scope)  # type: ignore[assignment]
                scope["client"] = (client, 0)
                if scope["type"] == "http":
                    scope["scheme"] = scheme
        await app(scope, receive, send)

    return middleware
