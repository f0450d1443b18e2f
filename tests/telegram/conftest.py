"""A running Standby (aiogram or python-telegram-bot) against the Bot API emulator."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.runtime import Running, start
from bot.config import Settings
from bot.testing import ChatMessage, Emulator, RateLimits, User

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-standby-e2e"
FRAMEWORKS = ["aiogram", "ptb"]


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(rate_limits=RateLimits.off()) as tg:
        tg.add_bot(TOKEN, username="standby_test_bot")
        yield tg


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


StartBot = Callable[..., Coroutine[Any, Any, Running]]


@pytest.fixture
async def start_bot(emulator: Emulator, framework: str, tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start (and later stop) Standby; keyword arguments override settings."""
    started: list[Running] = []

    async def starter(**overrides: Any) -> Running:
        values: dict[str, Any] = {
            "BOT_TOKEN": TOKEN,
            "BOT_API_URL": emulator.base_url,
            "BOT_FRAMEWORK": framework,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'standby.db'}",
            "FLOWS_DIR": ROOT / "flows",
            "LOCALES_DIR": ROOT / "locales",
            "WEBHOOK_LISTEN": "127.0.0.1:0",
            **overrides,
        }
        running = await start(Settings(**values))
        started.append(running)
        return running

    yield starter
    for running in started:
        if not running.stopped.is_set():
            await running.stop()


async def reply_with(user: User, fragment: str, within: float = 10.0) -> ChatMessage:
    """Bot replies until one contains `fragment` (earlier ones are passed over)."""
    while True:
        reply = await user.wait_for_reply(within)
        if fragment in reply.content:
            return reply


async def answer(user: User, *labels: str, then: str) -> None:
    """Press the buttons labelled `labels` in turn, then wait for a reply containing `then`."""
    for label in labels:
        await user.click(label)
    await reply_with(user, then)
