"""The command menus, both frameworks: set in the background, so a Bot API failing
setMyCommands never holds back the answer to the first person who writes."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.adapters.telegram.retry import BACKOFF
from bot.i18n.languages import LANGUAGES
from bot.testing import Emulator, Fault
from tests.telegram.conftest import StartBot, reply_with

MENUS = len(LANGUAGES)  # the default (English) and one per other language


async def menus_set(emulator: Emulator, within: float = 10.0) -> None:
    """Wait until every menu has been set."""
    bot = emulator.bot()
    for _ in range(int(within / 0.05)):
        if len(bot.commands) == MENUS:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"{len(bot.commands)} of {MENUS} command menus set")


async def test_failing_menus_do_not_hold_back_the_first_answer(
    emulator: Emulator, start_bot: StartBot
) -> None:
    failing = emulator.inject(Fault.server_error(), 1000, method="setMyCommands")
    running = await start_bot()
    ada = emulator.user(81, "Ada")
    await ada.send("/start")
    await reply_with(ada, "Are you safe right now?")
    # Answered while the first menu is still being retried (5 tries over 7.5 s).
    tried = len(emulator.calls_of("setMyCommands"))
    assert 1 <= tried < len(BACKOFF) + 1, tried
    assert failing.remaining > 0
    assert not emulator.bot().commands
    await running.stop()  # cancels the retrying cleanly, without waiting for it
    assert len(emulator.calls_of("setMyCommands")) == tried


async def test_menus_are_set_once_each_after_brief_failures(
    emulator: Emulator, start_bot: StartBot
) -> None:
    emulator.inject(Fault.timeout(hang=0.5), 1, method="setMyCommands")
    emulator.inject(Fault.server_error(), 1, method="setMyCommands")
    await start_bot()
    await menus_set(emulator)
    calls = emulator.calls_of("setMyCommands")
    assert len(calls) == MENUS + 2, "two retries, then each menu once"


async def test_a_refused_menu_is_skipped_and_an_unreachable_api_ends_the_rest(
    emulator: Emulator,
    start_bot: StartBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr("bot.adapters.telegram.retry.BACKOFF", (0.01,) * len(BACKOFF))
    caplog.set_level(logging.WARNING, "bot.adapters.telegram.commands")
    refused = Fault(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    emulator.inject(refused, 1, method="setMyCommands")
    tries = len(BACKOFF) + 1
    emulator.inject(Fault.server_error(), tries, method="setMyCommands")
    await start_bot()
    for _ in range(200):
        if "command menus not set" in caplog.text:
            break
        await asyncio.sleep(0.05)
    assert "command menu for default not set" in caplog.text
    # The default refused, the next menu tried `tries` times, the others left for next time.
    assert len(emulator.calls_of("setMyCommands")) == 1 + tries
    assert not emulator.bot().commands
