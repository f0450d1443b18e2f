"""Fetching the files people send, patiently (the `FileSource` port for Telegram)."""

from __future__ import annotations

from functools import partial

from bot.adapters.telegram.api import BotApi
from bot.adapters.telegram.retry import patiently


class TelegramFiles:
    """Downloads through the Bot API, waiting out flood control and brief failures like
    every other call; a refusal (a file too big, a stale file_id) is raised at once."""

    def __init__(self, api: BotApi) -> None:
        self._api = api

    async def download(self, file_id: str) -> bytes:
        return await patiently(partial(self._api.download, file_id))
