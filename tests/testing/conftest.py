"""Fixtures: a running emulator on a fake clock, one bot, and a raw HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.testing import EmulatedBot, Emulator, EmulatorConfig, FakeClock
from tests.testing.support import TOKEN, RawClient


@pytest.fixture
def clock() -> FakeClock:
    """The emulator's clock, moved only by the test."""
    return FakeClock()


@pytest.fixture
def config() -> EmulatorConfig:
    """Webhook retries fast enough for tests."""
    return EmulatorConfig(webhook_retry_initial=0.02, webhook_retry_max=0.1, webhook_timeout=1.0)


@pytest.fixture
async def tg(clock: FakeClock, config: EmulatorConfig) -> AsyncIterator[Emulator]:
    """A running emulator."""
    async with Emulator(clock=clock, config=config) as emulator:
        yield emulator


@pytest.fixture
def bot(tg: Emulator) -> EmulatedBot:
    """The bot the tests play."""
    return tg.add_bot(TOKEN, username="standby_bot")


@pytest.fixture
async def client(tg: Emulator, bot: EmulatedBot) -> AsyncIterator[RawClient]:
    """A raw HTTP client holding the bot's token."""
    async with aiohttp.ClientSession() as session:
        yield RawClient(session, tg.base_url, bot.token)
