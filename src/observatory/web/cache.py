"""A bounded in-memory cache of whole responses.

The store is read-only and never changes under a running app (a rebuild writes a new file, and
the server is restarted to read it), so a page or API answer depends only on its URL and on the
request headers that choose its form. Serving a repeat from memory skips the store, the template
and the compression: that is what keeps p95 latency low with hundreds of clients (see
benchmarks/bench_api.py).
"""

from __future__ import annotations

from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .negotiate import JSON_FLAG

# Downloads are large and rarely repeated; map layers and static files have their own caching.
_SKIP = ("/download", "/api/v1/download", "/api/v1/geometry", "/static/")


class ResponseCache:
    def __init__(self, app: ASGIApp, max_entries: int = 4096, max_body: int = 4 << 20) -> None:
        self.app = app
        self.max_entries = max_entries
        self.max_body = max_body
        self._entries: OrderedDict[tuple, tuple[int, list, bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(_SKIP):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = (
            scope["path"],
            scope["query_string"],
            bool(scope.get(JSON_FLAG)),
            headers.get(b"accept", b""),
            b"gzip" in headers.get(b"accept-encoding", b""),
        )
        hit = self._entries.get(key)
        if hit is not None:
            self._entries.move_to_end(key)
            status, raw_headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": raw_headers})
            await send({"type": "http.response.body", "body": body})
            return

        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._keep(key, start, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    def _keep(self, key: tuple, start: Message, body: bytes) -> None:
        if start.get("status") != 200 or len(body) > self.max_body:
            return
        self._entries[key] = (200, list(start.get("headers", [])), body)
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
