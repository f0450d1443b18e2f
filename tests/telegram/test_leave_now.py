"""Leave now under every question, both frameworks: the chat is cleared, one neutral
message says what the exit cannot do, then the bot stays quiet; the next message starts
quietly, without the welcome."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.adapters.telegram.errors import Transient
from bot.adapters.telegram.retry import patiently
from bot.testing import Emulator, User
from tests.telegram.conftest import StartBot, reply_with

QUIET_FOR = 1.5  # seconds to watch for anything the bot might still send


AFTER_EXIT = "Done. I deleted our messages from the last two days."


def _cleared(person: User) -> bool:
    kept = [m for m in person.history if not m.deleted]
    return len(kept) == 1 and kept[0].content.startswith(AFTER_EXIT)


async def left_and_quiet(person: User) -> None:
    """Every message of the chat was deleted but one, which says what the exit cannot do
    (the chat stays in the list), and the bot sends nothing after it."""
    await person.wait_until(lambda: _cleared(person), 10, "a quick exit")
    (kept,) = [m for m in person.history if not m.deleted]
    assert "The chat itself is still in your list of chats" in kept.content
    assert not kept.button_labels
    seen = len(person.history)
    await asyncio.sleep(QUIET_FOR)
    assert len(person.history) == seen, "the bot sends nothing unless the person writes"


async def test_leave_now_in_the_middle_of_a_report_clears_the_chat_and_stays_quiet(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    kim = emulator.user(61, "Kim")
    await kim.send("/report")
    await reply_with(kim, "Are you somewhere safe")
    await kim.click("Yes, let's start")
    who = await reply_with(kim, "Who are you reporting for?")
    assert who.button_labels[-2:] == ["Emergency: 999", "Leave now"], "under the choices"
    await kim.click("Leave now")
    await left_and_quiet(kim)
    await kim.send("hello")  # writing again starts afresh and quietly: no welcome
    again = await reply_with(kim, "Hello again. What would you like to do?")
    assert "I am here for people who face hate" not in again.content
    assert "Open the menu" in again.button_labels


async def test_leave_now_on_a_typed_question(emulator: Emulator, start_bot: StartBot) -> None:
    await start_bot()
    ana = emulator.user(63, "Ana")
    await ana.send("/menu")
    await reply_with(ana, "What would you like to do?")
    await ana.click("Protest safety")
    await reply_with(ana, "Where is the protest?")
    await ana.click("Scotland")
    await reply_with(ana, "What would you like to know about?")
    await ana.click("Make a safety plan")
    await ana.click("Tomorrow", await reply_with(ana, "When are you going?"))
    town = await reply_with(ana, "Which town or city?")  # typed: no choices, but ways out
    assert town.button_labels[-2:] == ["Emergency: 999", "Leave now"]
    await ana.click("Leave now", town)
    await left_and_quiet(ana)


async def test_leave_now_on_an_older_menu_still_leaves(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    lou = emulator.user(62, "Lou")
    await lou.send("/menu")
    menu = await reply_with(lou, "What would you like to do?")
    await lou.click("Protest safety")
    await reply_with(lou, "Where is the protest?")
    await lou.click("Wales")
    await reply_with(lou, "What would you like to know about?")
    await lou.click("Make a safety plan")
    await reply_with(lou, "When are you going?")
    await lou.click("Leave now", menu)  # the first menu, further up the chat
    await left_and_quiet(lou)


async def test_retries_log_the_error_type_not_the_library_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcomes: list[Exception | str] = ["sent"]
    quoted = OSError("https://api.telegram.org/bot123:SECRET/sendMessage?chat_id=987")
    try:
        raise Transient(str(quoted)) from quoted
    except Transient as failure:
        outcomes.insert(0, failure)

    async def call() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def sleep(_seconds: float) -> None:
        return None

    caplog.set_level(logging.WARNING)
    assert await patiently(call, sleep=sleep) == "sent"
    assert "Telegram call failed (OSError)" in caplog.text
    assert "SECRET" not in caplog.text
    assert "987" not in caplog.text
