"""The HTTP side: Telegram's webhook (secret checked in constant time) and /healthz.

An update is acknowledged only after it was handled, so a crash before that makes
Telegram send it again; the update ledger makes sure it is then handled once. One that
cannot be read is acknowledged too (and logged): sent again, it would fail again.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
Feed = Callable[[dict[str, Any]], Awaitable[None]]


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


def make_app(*, feed: Feed | None, secret: str, path: str) -> web.Application:
    """/healthz always; the webhook route at `path` when `feed` is given."""
    app = web.Application(client_max_size=4 * 1024 * 1024)

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def update(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook call without the right secret refused")
            return web.Response(status=401, text="unauthorized")
        try:
            data = await request.json()
        except (ValueError, RecursionError):  # not JSON (or not UTF-8), or nested too deep
            data = None
        if not isinstance(data, dict):
            # Acknowledged all the same: any other answer only makes Telegram send it again.
            log.warning("webhook update skipped: it is not a JSON object")
        elif feed is not None:
            await feed(data)  # an update that cannot be read is logged and skipped there
        return web.Response(text="ok")

    app.router.add_get("/healthz", health)
    if feed is not None:
        app.router.add_post(path, update)
    return app


class HttpServer:
    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self._runner = web.AppRunner(app, access_log=None)  # access logs would hold chat traffic
        self._host, self._port = host, port
        self.port = port

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self._runner.cleanup()
