"""The web server's defences: a strict Content-Security-Policy and friends on every response, loopback-only
Host names (against DNS rebinding), and the bearer token that guards ingestion.

Article text comes from partisan sites and is untrusted: the page never turns it into markup (it only sets
``textContent``), and the CSP forbids inline scripts, inline styles in markup, plugins and every origin
but this server's (plus the tile server's images when a tile URL is configured).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from veilleur.errors import WebError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def tile_origin(tile_url: str) -> str:
    """The CSP source of a Leaflet tile URL template (``{s}`` subdomains become ``*``)."""
    parts = urlsplit(tile_url)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in ("http", "https") or not host or any(c in host for c in "{}'; "):
        raise WebError(
            f"the tile URL {tile_url!r} must be an http(s) URL template such as "
            "https://{s}.tile.example.org/{z}/{x}/{y}.png (VEILLEUR_TILE_URL)"
        )
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str | None = None) -> str:
    images = "'self' data:" + (f" {tile_origin(tile_url)}" if tile_url else "")
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response (a plain ASGI wrapper: no
    per-request task, unlike Starlette's BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def allowed_hosts(host: str) -> list[str]:
    """Host header values the server answers: loopback names when it listens on loopback, else any."""
    if host in LOOPBACK_HOSTS or host.startswith("127."):
        return sorted({*LOOPBACK_HOSTS, host})
    return ["*"]


def token_matches(expected: str | None, authorization: str | None) -> bool:
    """True when ``authorization`` is ``Bearer <expected>`` (constant-time); never when no token is set."""
    if not expected or not authorization:
        return False
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())
