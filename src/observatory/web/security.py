"""Security headers on every response, HEAD on every page, and redirects that never echo the Host
header.

The Content-Security-Policy allows nothing but the observatory's own files: no inline scripts or
styles, no other origins, no framing (OWASP Secure Headers Project). MapLibre draws in a web
worker it creates from a blob: URL, so workers may come from blob:. A response that sets its own
policy (the annual report, one self-contained document with inline styles) keeps it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; child-src blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    b"content-security-policy": CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"strict-origin-when-cross-origin",
    b"x-frame-options": b"DENY",
    b"permissions-policy": b"geolocation=(), camera=(), microphone=()",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:  # every page answers HEAD as GET does, without the body (RFC 9110 section 9.3.2)
            scope = dict(scope, method="GET")

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"location"]
                present = {k.lower() for k, _ in headers}
                for k, v in message.get("headers", []):
                    if k.lower() == b"location":
                        headers.append((k, _relative(v)))
                headers += [(k, v) for k, v in HEADERS.items() if k not in present]
                message = dict(message, headers=headers)
            elif head and message["type"] == "http.response.body":
                message = dict(message, body=b"")
            await send(message)

        await self.app(scope, receive, secured)


def _relative(location: bytes) -> bytes:
    """A redirect to this server is sent as a path: a forged Host header is never echoed back."""
    parts = urlsplit(location.decode("latin-1"))
    if not parts.scheme and not parts.netloc:
        return location
    path = parts.path or "/"
    return (path + (f"?{parts.query}" if parts.query else "")).encode("latin-1")
