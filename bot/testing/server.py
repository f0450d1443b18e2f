"""The HTTP face of the emulator: `/bot{token}/{method}` and `/file/bot{token}/{path}`.

Every call is authorised, parsed, recorded, then either failed by an injected fault or
answered by its handler, with the HTTP status equal to Telegram's `error_code`.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.testing.api import Call, Described, lookup
from bot.testing.errors import ApiError, not_found
from bot.testing.faults import NGINX_BAD_GATEWAY, Fault
from bot.testing.models import CallRecord
from bot.testing.params import read_params
from bot.testing.webchat import WebChat
from bot.testing.world import World

# Uploads up to Telegram's 50 MB document limit, plus room for the other form fields.
MAX_BODY = 52 * 1024 * 1024


def _json(payload: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json"
    )


class ApiRoutes:
    """aiohttp handlers for the Bot API and file downloads."""

    def __init__(self, world: World) -> None:
        self.world = world

    def install(self, app: web.Application) -> None:
        """Add the routes to `app`."""
        app.router.add_route("*", "/bot{token}/{method}", self.api)
        app.router.add_get("/file/bot{token}/{path:.+}", self.download)

    async def api(self, request: web.Request) -> web.StreamResponse:
        """One Bot API call."""
        record: CallRecord | None = None
        try:
            bot = self.world.authorize(request.match_info["token"])
            found = lookup(request.match_info["method"])
            if found is None:
                raise not_found()
            name, handler = found
            params = await read_params(request)
            record = self.world.record(bot, name, params.as_dict())
            fault = self.world.faults.take(name, params.raw("chat_id"))
            if fault is not None:
                return await self._fail(request, fault, record)
            result = await handler(Call(self.world, bot, params))
        except ApiError as error:
            return self._error(error, record)
        body: dict[str, Any] = {"ok": True, "result": result}
        if isinstance(result, Described):
            body = {"ok": True, "result": result.result, "description": result.description}
        if record is not None:
            record.status = 200
        return _json(body)

    async def download(self, request: web.Request) -> web.StreamResponse:
        """A file's bytes, at the file_path getFile gave out."""
        try:
            bot = self.world.authorize(request.match_info["token"])
        except ApiError as error:
            return self._error(error, None)
        stored = bot.files.by_path(request.match_info["path"])
        if stored is None or stored.data is None:
            return self._error(not_found(), None)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    def _error(self, error: ApiError, record: CallRecord | None) -> web.Response:
        if record is not None:
            record.status = error.status
            record.description = error.description
            if error.status == 429:
                self.world.find_bot(record.bot_id).too_many_requests_served += 1
        return _json(error.payload(), error.status)

    async def _fail(
        self, request: web.Request, fault: Fault, record: CallRecord
    ) -> web.StreamResponse:
        if fault.hang is None:
            if fault.body is not None:
                record.status, record.description = fault.status, fault.description
                return _json(fault.body, fault.status)
            if fault.html:
                record.status, record.description = fault.status, "nginx error page"
                return web.Response(
                    text=NGINX_BAD_GATEWAY, status=fault.status, content_type="text/html"
                )
            return self._error(fault.error(), record)
        world = self.world
        await world.changed.wait_for(lambda: world.closed, fault.hang)
        # Dropping the connection without an answer is what a client sees as a timeout.
        if request.transport is not None:
            request.transport.close()
        record.description = "dropped without an answer"
        return web.Response(status=504)


def build_app(world: World) -> web.Application:
    """The aiohttp application serving the Bot API, files and the web chat."""
    app = web.Application(client_max_size=MAX_BODY)
    ApiRoutes(world).install(app)
    WebChat(world).install(app)
    return app
