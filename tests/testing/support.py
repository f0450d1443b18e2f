"""Helpers for the emulator's tests: a raw Bot API client and a tiny echo bot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

TOKEN = "123456:TEST-token"


class RawClient:
    """Calls the emulator like a bare HTTP client would, returning status and body."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str = TOKEN) -> None:
        self.session = session
        self.base_url = base_url
        self.token = token

    def url(self, method: str, token: str | None = None) -> str:
        """The URL of a method for this client's token (or another one)."""
        return f"{self.base_url}/bot{token or self.token}/{method}"

    async def call(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """POST `params` as a JSON body."""
        async with self.session.post(self.url(method), json=params) as response:
            return response.status, await response.json()

    async def form(self, method: str, data: Any) -> tuple[int, dict[str, Any]]:
        """POST a form body (urlencoded for a dict, multipart for FormData)."""
        async with self.session.post(self.url(method), data=data) as response:
            return response.status, await response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        """Call and return `result`, failing the test on an error answer."""
        status, body = await self.call(method, **params)
        assert (status, body["ok"]) == (200, True), body
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        """Call expecting failure; the status and Telegram's description."""
        status, body = await self.call(method, **params)
        assert (body["ok"], body["error_code"]) == (False, status), body
        return status, body["description"]


def keyboard(*rows: list[tuple[str, str]]) -> str:
    """An inline keyboard as the JSON text form clients send."""
    return json.dumps(
        {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row] for row in rows]}
    )


async def _echo(client: RawClient) -> None:
    offset = 0
    while True:
        updates = await client.ok("getUpdates", offset=offset, timeout=1)
        for update in updates:
            offset = update["update_id"] + 1
            if "message" in update:
                chat = update["message"]["chat"]["id"]
                text = update["message"].get("text", "(file)")
                markup = keyboard([("Yes, I am safe", "safe"), ("No", "unsafe")])
                await client.ok(
                    "sendMessage", chat_id=chat, text=f"echo: {text}", reply_markup=markup
                )
            if "callback_query" in update:
                query = update["callback_query"]
                await client.ok("answerCallbackQuery", callback_query_id=query["id"], text="noted")
                await client.ok(
                    "editMessageText",
                    chat_id=query["message"]["chat"]["id"],
                    message_id=query["message"]["message_id"],
                    text=f"you chose {query['data']}",
                )


@contextlib.asynccontextmanager
async def echo_bot(client: RawClient) -> AsyncIterator[asyncio.Task[None]]:
    """Run a polling bot that echoes messages with a keyboard and answers presses."""
    task = asyncio.create_task(_echo(client))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class Receiver:
    """A webhook endpoint that records what it gets and answers with scripted statuses."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.json()))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.json_response({}, status=status)

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
