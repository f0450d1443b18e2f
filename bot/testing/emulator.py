"""The Bot API emulator: a local aiohttp server that real bot libraries talk to."""

from __future__ import annotations

import dataclasses
import socket
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.testing.accounts import EmulatedBot
from bot.testing.clock import Clock
from bot.testing.driver import User
from bot.testing.errors import BLOCKED
from bot.testing.faults import Fault, FaultRule
from bot.testing.models import CallRecord, Chat
from bot.testing.ratelimit import RateLimits
from bot.testing.server import build_app
from bot.testing.webhook import WebhookDelivery
from bot.testing.world import BotRef, EmulatorConfig, World


class Emulator:
    """Fake Telegram on 127.0.0.1 (a free port unless one is given).

    Use it as `async with Emulator() as tg:`, register bots with `add_bot`, act as people
    with `user(...)`, order failures with `inject`, and inspect chats, calls and answers.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        rate_limits: RateLimits | None = None,
        clock: Clock | None = None,
        config: EmulatorConfig | None = None,
    ) -> None:
        config = config or EmulatorConfig()
        if rate_limits is not None:
            config = dataclasses.replace(config, rate_limits=rate_limits)
        self.world = World(config, clock)
        self._host = host
        self._port = port
        self._delivery = WebhookDelivery(self.world)
        self.world.on_webhook_change = self._delivery.update
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        """Where the server listens, e.g. "http://127.0.0.1:41234" (after `start`)."""
        if self._base_url is None:
            raise RuntimeError("the emulator is not running: use `async with Emulator()`")
        return self._base_url

    @property
    def clock(self) -> Clock:
        """The clock dating messages and driving the 48-hour rule and rate limits."""
        return self.world.clock

    async def start(self) -> None:
        """Start serving."""
        runner = web.AppRunner(
            build_app(self.world), handle_signals=False, access_log=None, shutdown_timeout=2.0
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        await web.SockSite(runner, sock).start()
        self._runner = runner
        host, port = sock.getsockname()[:2]
        self._base_url = f"http://{host}:{port}"

    async def close(self) -> None:
        """Stop serving: wake waiting polls, stop webhook delivery, close the server."""
        self.world.closed = True
        self.world.changed.notify()
        await self._delivery.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def add_bot(
        self, token: str, username: str | None = None, first_name: str | None = None
    ) -> EmulatedBot:
        """Register a bot; its id is the number before the colon of `token`."""
        return self.world.add_bot(token, username, first_name)

    def bot(self, ref: BotRef = None) -> EmulatedBot:
        """A registered bot by token, id or username; the first one by default."""
        return self.world.find_bot(ref)

    def user(
        self,
        id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        bot: BotRef = None,
    ) -> User:
        """A driver for the person `id` in their private chat with `bot` (default: the first)."""
        person = self.world.person(
            id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        return User(self.world, self.world.find_bot(bot), person)

    def push_raw_update(self, update: dict[str, Any], bot: BotRef = None) -> dict[str, Any]:
        """Queue `update` for `bot` as given: what a Bot API server of another version, or a
        broken one, might send (a message without `date`, a kind no library knows...). It is
        not checked nor filtered by `allowed_updates`. Its update_id is the next one unless it
        carries its own integer (say beyond 2^53), after which later ids continue. Returns
        the update as queued."""
        return self.world.find_bot(bot).updates.push_raw(update)

    def add_group(self, chat_id: int, title: str, bot: BotRef = None) -> Chat:
        """A group the bot is a member of (negative id); group flood limits apply to it."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        target = self.world.find_bot(bot)
        chat = target.chats.get(chat_id) or Chat(chat_id, "supergroup", title=title, started=True)
        target.chats[chat_id] = chat
        return chat

    def chat(self, chat_id: int, bot: BotRef = None) -> Chat:
        """A chat the bot has, to inspect its messages."""
        chat = self.world.find_bot(bot).chats.get(chat_id)
        if chat is None:
            raise LookupError(f"no chat {chat_id}")
        return chat

    def inject(
        self,
        fault: Fault,
        times: int = 1,
        *,
        method: str | None = None,
        chat_id: int | None = None,
    ) -> FaultRule:
        """Fail the next `times` calls (of `method`, to `chat_id`, if given) with `fault`."""
        return self.world.faults.add(fault, times, method, chat_id)

    def block(self, chat_id: int, bot: BotRef = None, reason: str = BLOCKED) -> None:
        """Make every send to `chat_id` fail with 403 `reason` until `unblock`."""
        self.chat(chat_id, bot).blocked_reason = reason

    def unblock(self, chat_id: int, bot: BotRef = None) -> None:
        """Let sends to `chat_id` through again."""
        self.chat(chat_id, bot).blocked_reason = None

    def set_rate_limits(self, limits: RateLimits) -> None:
        """Switch flood control (e.g. `RateLimits.off()`), forgetting earlier sends."""
        self.world.limiter.reset(limits)

    @property
    def calls(self) -> list[CallRecord]:
        """Every Bot API call of every bot, oldest first."""
        return list(self.world.calls)

    def calls_of(self, method: str) -> list[CallRecord]:
        """Calls of one method (any spelling) by any bot."""
        return [call for call in self.world.calls if call.method.lower() == method.lower()]

    @property
    def too_many_requests_served(self) -> int:
        """How many 429 answers went out, over all bots."""
        return sum(bot.too_many_requests_served for bot in self.world.bots.values())
