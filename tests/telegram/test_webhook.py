"""Webhook mode, both frameworks: Telegram's calls carry the secret; others get 401."""

from __future__ import annotations

import aiohttp

from bot.adapters.telegram.webhook import SECRET_HEADER
from bot.testing import Emulator
from tests.telegram.conftest import StartBot, free_port, reply_with

SECRET = "a-webhook-secret_0123456789"


async def test_updates_come_by_webhook_with_the_secret(
    emulator: Emulator, start_bot: StartBot
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    await start_bot(WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET, WEBHOOK_LISTEN=f"127.0.0.1:{port}")
    webhook = emulator.bot().webhook
    assert webhook is not None
    assert (webhook.url, webhook.secret_token) == (url, SECRET)

    rosa = emulator.user(60, "Rosa")
    await rosa.send("/menu")
    await reply_with(rosa, "What would you like to do?")
    await rosa.click("Emergency help")
    await reply_with(rosa, "call 999")

    async with aiohttp.ClientSession() as http:
        update = {
            "update_id": 999,
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "/about",
                "chat": {"id": 60, "type": "private"},
            },
        }
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}):
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 401
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert (response.status, await response.text()) == (200, "ok")
