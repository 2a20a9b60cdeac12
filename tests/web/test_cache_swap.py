"""After a store swap, a busy server answers repeats from the previous build while it recomputes
them in the background; an idle server always answers from the new store."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from observatory.web import cache as cache_mod
from observatory.web.cache import ResponseCache
from observatory.web.live import GENERATION


class FakeApp:
    """Answers with the figure of the store generation it is asked under."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await asyncio.sleep(0)
        body = f"figure from store {scope[GENERATION]}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": body})


class Watch:
    def __init__(self) -> None:
        self.current = SimpleNamespace(generation=1)

    def acquire(self):
        return self.current

    def release(self, snap):
        pass


def _get(cache: ResponseCache, generation: int, watch: Watch, headers: list | None = None) -> tuple[bytes, dict]:
    scope = {"type": "http", "method": "GET", "path": "/api/v1/figures", "query_string": b"level=lad",
             "headers": headers or [], GENERATION: generation,
             "app": SimpleNamespace(state=SimpleNamespace(watch=watch), routes=[])}
    sent: list = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    async def run():
        await cache(scope, receive, send)
        await asyncio.sleep(0.01)  # let a background refresh finish

    asyncio.run(run())
    return sent[1]["body"], dict(sent[0]["headers"])


def test_an_idle_server_answers_from_the_new_store_at_once(monkeypatch):
    watch, app = Watch(), FakeApp()
    cache = ResponseCache(app)
    cache._names = frozenset({"level"})
    assert _get(cache, 1, watch)[0] == b"figure from store 1"
    watch.current = SimpleNamespace(generation=2)
    assert _get(cache, 2, watch)[0] == b"figure from store 2"


def test_a_busy_server_answers_from_the_previous_build_then_refreshes(monkeypatch):
    watch, app = Watch(), FakeApp()
    cache = ResponseCache(app)
    cache._names = frozenset({"level"})
    _get(cache, 1, watch)
    watch.current = SimpleNamespace(generation=2)
    cache._inflight = cache_mod.BUSY  # as if BUSY other answers were being computed right now
    body, headers = _get(cache, 2, watch)
    assert body == b"figure from store 1" and headers[b"x-observatory-previous-build"] == b"refreshing"
    # the background refresh has kept the new store's answer: the next request gets it
    body, headers = _get(cache, 2, watch)
    assert body == b"figure from store 2" and b"x-observatory-previous-build" not in headers


def test_visitors_asking_at_once_for_the_same_answer_share_one_computation():
    watch, app = Watch(), FakeApp()
    cache = ResponseCache(app)
    cache._names = frozenset({"level"})
    scope = {"type": "http", "method": "GET", "path": "/api/v1/figures", "query_string": b"level=lad",
             "headers": [], GENERATION: 1, "app": SimpleNamespace(state=SimpleNamespace(watch=watch), routes=[])}

    async def one() -> bytes:
        sent: list = []

        async def send(message):
            sent.append(message)

        async def receive():
            return {"type": "http.request"}

        await cache(dict(scope), receive, send)
        return sent[1]["body"]

    async def many():
        return await asyncio.gather(*(one() for _ in range(20)))

    bodies = asyncio.run(many())
    assert bodies == [b"figure from store 1"] * 20
    assert app.calls == 1


class FakeRecordsApp(FakeApp):
    """Answers as an area profile does: from the store and the records (its challenge counts)."""

    def __init__(self, counters) -> None:
        super().__init__()
        self.counters = counters

    async def __call__(self, scope, receive, send):
        from observatory.records.changes import versions
        from observatory.web.auth import RECORDS_DEPS

        scope[RECORDS_DEPS] = (self.counters, ("challenge",), versions(self.counters, ("challenge",)))
        await super().__call__(scope, receive, send)


def test_after_a_swap_a_busy_server_gives_visitors_the_previous_profile_and_signed_in_users_a_new_one(tmp_path):
    from observatory.web.auth import COOKIE

    def swapped_while_busy() -> tuple[ResponseCache, Watch]:
        watch = Watch()
        cache = ResponseCache(FakeRecordsApp(tmp_path))
        cache._names = frozenset({"level"})
        _get(cache, 1, watch)
        watch.current = SimpleNamespace(generation=2)
        cache._inflight = cache_mod.BUSY
        return cache, watch

    # a visitor, while the server is busy, gets the previous build's answer, marked, not a wait
    cache, watch = swapped_while_busy()
    body, headers = _get(cache, 2, watch)
    assert body == b"figure from store 1" and headers[b"x-observatory-previous-build"] == b"refreshing"
    # a signed-in user (their own writes must show) is answered from the new store at once
    cache, watch = swapped_while_busy()
    signed_in = [(b"cookie", f"{COOKIE}=someone".encode())]
    assert _get(cache, 2, watch, signed_in)[0] == b"figure from store 2"
