"""Webhook mode, both frameworks: Telegram's calls carry the secret; others get 401. And
the web server (webhook, /healthz) on a port another program holds."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from bot.adapters.telegram.webhook import SECRET_HEADER
from bot.config import SettingsError
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


async def test_a_port_in_use_is_named_with_the_setting_to_change(start_bot: StartBot) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SettingsError) as refused:
            await start_bot(WEBHOOK_LISTEN=f"127.0.0.1:{port}")
    assert str(refused.value).startswith(
        f"setting WEBHOOK_LISTEN: port {port} on 127.0.0.1 is in use by another program; "
        "choose another with WEBHOOK_LISTEN=127.0.0.1:"
    )
