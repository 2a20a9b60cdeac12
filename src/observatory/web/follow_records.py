"""The dashboard follows the records and the settings, as it follows the store file (live.py).

Before each request, two cheap checks (a few `stat`s, no lock):
- the records that stored figures are derived from (the programme register) changed, here or in
  another process on this machine: the application object recomputes those figures into the store
  (Observatory.follow_records) and the new store is swapped in before the request reads it, so the
  page after an editor's change, the map and the downloads already show it;
- the workspace's settings (observatory.toml, the metrics file) changed: a new snapshot of the
  same store is taken, so answers cached with the old targets are not served again.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from ..app import Observatory
from .auth import anonymous
from .live import StoreWatch


class FollowRecords:
    """Middleware, outside FollowStore: brings the store up to date before a snapshot is taken."""

    def __init__(self, app: ASGIApp, watch: StoreWatch, observatory: Observatory | None) -> None:
        self.app, self.watch, self.observatory = app, watch, observatory
        self._settings = observatory.settings_generation if observatory is not None else 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        obs = self.observatory
        if scope["type"] == "http" and obs is not None:
            # a signed-in user (an editor whose change this may be) waits for the figures; a
            # visitor goes on with the store as it is while another request brings it up to date
            if obs.records_moved() and await run_in_threadpool(obs.follow_records, not anonymous(scope)):
                await run_in_threadpool(self.watch.reload)
            if obs.settings_generation != self._settings:
                self._settings = obs.settings_generation
                await run_in_threadpool(self.watch.renew)
        await self.app(scope, receive, send)
