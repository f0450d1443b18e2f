"""Leave now on a Bot API that refuses deleteMessages, both frameworks: the messages are
deleted one by one; any Telegram keeps are named in one calm notice, never kept quiet."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.telegram.sender import NOT_ERASED
from bot.testing import Emulator, Fault, User
from tests.telegram.conftest import StartBot, reply_with
from tests.telegram.test_leave_now import AFTER_EXIT, QUIET_FOR, left_and_quiet

REFUSALS = {
    "refused": Fault(400, "Bad Request: method is not available"),
    "missing": Fault(404, "Not Found"),  # a Bot API server without the method
}
STAYS = Fault(400, "Bad Request: message can't be deleted")
CHAT = 71


async def report_started(person: User) -> None:
    await person.send("/report")
    await reply_with(person, "Are you somewhere safe")
    await person.click("Yes, let's start")
    await reply_with(person, "Who are you reporting for?")


def refuse_batches(emulator: Emulator) -> None:
    emulator.inject(REFUSALS["missing"], 1, method="deleteMessages", chat_id=CHAT)


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
async def test_refused_batch_deletes_one_by_one(
    emulator: Emulator, start_bot: StartBot, refusal: Fault
) -> None:
    await start_bot()
    kim = emulator.user(CHAT, "Kim")
    await report_started(kim)
    refused = emulator.inject(refusal, 1, method="deleteMessages", chat_id=CHAT)
    await kim.click("Leave now")
    await left_and_quiet(kim)
    assert refused.remaining == 0
    singles = emulator.calls_of("deleteMessage")
    assert len(singles) == len(kim.history) - 1, "each message but the last, one call each"
    assert all(call.status == 200 for call in singles)


async def test_messages_telegram_keeps_are_named_then_a_second_exit_tries_again(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    kim = emulator.user(CHAT, "Kim")
    await report_started(kim)
    refuse_batches(emulator)
    emulator.inject(STAYS, 2, method="deleteMessage", chat_id=CHAT)
    await kim.click("Leave now")
    notice = await reply_with(kim, "Some of our messages could not be deleted")
    assert notice.content == NOT_ERASED
    assert not notice.button_labels
    kept = [m.content for m in kim.messages]
    assert len(kept) == 3, "the two Telegram kept, then the notice"
    assert not any(AFTER_EXIT in text for text in kept), "never 'I deleted our messages'"

    await kim.send("/exit")  # Telegram lets them go now: all of it, the notice too
    await kim.wait_until(lambda: len(kim.messages) == 1, 10, "a second quick exit")
    assert kim.messages[0].content.startswith(AFTER_EXIT)


async def test_a_message_already_gone_counts_as_deleted(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    kim = emulator.user(CHAT, "Kim")
    await report_started(kim)
    refuse_batches(emulator)
    gone = Fault(400, "Bad Request: message to delete not found")
    emulator.inject(gone, 1, method="deleteMessage", chat_id=CHAT)
    await kim.click("Leave now")
    await reply_with(kim, AFTER_EXIT)
    await kim.wait_until(lambda: len(kim.messages) == 2, 10, "all but the gone one deleted")
    assert kim.messages[-1].content.startswith(AFTER_EXIT), "and no notice"


async def test_telegram_unreachable_for_deleting_still_says_so_in_their_language(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    ola = emulator.user(CHAT, "Ola", language_code="pl")
    await ola.send("/menu")
    await ola.wait_for_reply()
    refuse_batches(emulator)
    # As many 500s as one message's retries: it is given up, and the rest not asked for.
    emulator.inject(Fault.server_error(), 5, method="deleteMessage", chat_id=CHAT)
    await ola.send("/exit")
    notice = await reply_with(ola, "Nie udało się usunąć niektórych naszych wiadomości.", 20)
    assert "usuń ten czat w Telegramie" in notice.content
    assert notice.content == ola.messages[-1].content, "said once, instead of the exit's words"
    assert len(emulator.calls_of("deleteMessage")) == 5, "one message tried, then no more"
    seen = len(ola.history)
    await asyncio.sleep(QUIET_FOR)
    assert len(ola.history) == seen, "then quiet"


async def test_forget_me_says_so_when_telegram_keeps_messages(
    emulator: Emulator, start_bot: StartBot
) -> None:
    # /forget_me says nothing after forgetting; the notice is the one thing said then.
    await start_bot()
    kim = emulator.user(CHAT, "Kim")
    await kim.send("/forget_me")
    await reply_with(kim, "What should happen to it?")
    refuse_batches(emulator)
    emulator.inject(STAYS, 1, method="deleteMessage", chat_id=CHAT)
    await kim.click("Keep it, but not linked to me")
    await reply_with(kim, "Are you sure?")
    await kim.click("Yes, forget me now")
    notice = await reply_with(kim, "Some of our messages could not be deleted")
    assert notice.content == NOT_ERASED
    assert [m.content for m in kim.messages][-1] == NOT_ERASED
