"""Delivers a bot's updates to its webhook, one at a time and in order, retrying like Telegram.

A delivery succeeds on any 2xx answer. Anything else (another status, a refused
connection, a slow receiver) is recorded for getWebhookInfo and retried after a pause
that doubles up to a ceiling; after too many attempts the update is given up.
"""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp

from bot.testing.accounts import EmulatedBot, WebhookConfig
from bot.testing.world import World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDelivery:
    """The delivery loops of all bots with a webhook, sharing one HTTP client."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._session: aiohttp.ClientSession | None = None
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def update(self, bot: EmulatedBot) -> None:
        """Start or stop the loop of `bot` to match its webhook setting."""
        task = self._tasks.get(bot.id)
        if bot.webhook is None:
            if task is not None:
                task.cancel()
                del self._tasks[bot.id]
            return
        if task is None or task.done():
            self._tasks[bot.id] = asyncio.create_task(self._run(bot), name=f"webhook-{bot.id}")

    async def close(self) -> None:
        """Stop every loop and close the HTTP client."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self, bot: EmulatedBot) -> None:
        world = self._world
        attempts = 0
        while not world.closed:
            await world.changed.wait_for(lambda: bool(bot.updates.pending) or world.closed, None)
            webhook = bot.webhook
            if world.closed or webhook is None:
                return
            update = bot.updates.pending[0]
            error = await self._post(webhook, update)
            if error is None:
                attempts = 0
                bot.webhook_status.deliveries += 1
                bot.updates.acknowledge(update)
                world.changed.notify()
                continue
            attempts += 1
            self._record_failure(bot, error)
            if attempts >= world.config.webhook_max_attempts:
                attempts = 0
                bot.updates.acknowledge(update)
            await self._pause(attempts)

    def _record_failure(self, bot: EmulatedBot, error: str) -> None:
        status = bot.webhook_status
        status.failures += 1
        status.last_error_date = self._world.now()
        status.last_error_message = error
        self._world.changed.notify()

    async def _pause(self, attempts: int) -> None:
        config = self._world.config
        delay = min(
            config.webhook_retry_initial * 2 ** max(attempts - 1, 0), config.webhook_retry_max
        )
        world = self._world
        await world.changed.wait_for(lambda: world.closed, delay)

    async def _post(self, webhook: WebhookConfig, update: dict[str, object]) -> str | None:
        """POST one update; None on success, else Telegram's wording of what went wrong."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
        timeout = aiohttp.ClientTimeout(total=self._world.config.webhook_timeout)
        try:
            async with self._session.post(
                webhook.url, json=update, headers=headers, timeout=timeout
            ) as answer:
                await answer.read()
                if 200 <= answer.status < 300:
                    return None
                return f"Wrong response from the webhook: {answer.status} {answer.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except aiohttp.ClientError as error:
            return f"Connection error: {type(error).__name__}"
