"""The user-side driver: a conversation with a small polling bot."""

from __future__ import annotations

import pytest

from bot.testing import DriverError, EmulatedBot, Emulator
from tests.testing.support import RawClient, echo_bot, keyboard


async def test_send_wait_for_reply_and_click(tg: Emulator, client: RawClient) -> None:
    user = tg.user(id=42, first_name="Amina", language_code="ar")
    async with echo_bot(client):
        sent = await user.send("/start")
        assert sent.entities == [{"type": "bot_command", "offset": 0, "length": 6}]
        reply = await user.wait_for_reply()
        assert reply.text == "echo: /start"
        assert reply.button_labels == ["Yes, I am safe", "No"]
        query = await user.click("Yes, I am safe")
        await user.wait_for_answer(query)
        assert query.answer is not None
        assert query.answer["text"] == "noted"
        edited = await user.wait_for_edit(reply)
        assert edited.text == "you chose safe"
    assert [m.from_bot for m in user.messages] == [False, True]
    assert user.last_bot_message is reply


async def test_replies_are_returned_one_at_a_time(tg: Emulator, client: RawClient) -> None:
    user = tg.user(42, "Amina")
    await user.send("/start")
    await client.ok("sendMessage", chat_id=42, text="already read")
    await user.send("menu")
    await client.ok("sendMessage", chat_id=42, text="first")
    await client.ok("sendMessage", chat_id=42, text="second")
    # Sending marked "already read" as seen, so the replies to "menu" come in order.
    assert [m.text for m in await user.wait_for_replies(2)] == ["first", "second"]
    with pytest.raises(DriverError):
        await user.wait_for_reply(within=0.02)


async def test_missing_button_lists_the_labels(tg: Emulator, client: RawClient) -> None:
    user = tg.user(42, "Amina")
    await user.send("/start")
    await client.ok(
        "sendMessage", chat_id=42, text="Safe?", reply_markup=keyboard([("Yes", "y"), ("No", "n")])
    )
    with pytest.raises(DriverError, match=r"no button 'Maybe'.*\['Yes', 'No'\]"):
        await user.click("Maybe")


async def test_no_keyboard_and_no_reply_explain_the_chat(tg: Emulator, client: RawClient) -> None:
    user = tg.user(42, "Amina")
    await user.send("/start")
    with pytest.raises(DriverError, match="no bot message has inline buttons"):
        await user.click("Yes")
    with pytest.raises(DriverError, match=r"no reply within 0.05s(.|\n)*'/start'"):
        await user.wait_for_reply(within=0.05)


async def test_forged_button_data_reaches_the_bot(tg: Emulator, client: RawClient) -> None:
    user = tg.user(42, "Amina")
    await user.send("/start")
    await client.ok("sendMessage", chat_id=42, text="Safe?", reply_markup=keyboard([("Yes", "y")]))
    await user.click_data("v0:stale-step")
    update = (await client.ok("getUpdates", offset=2))[0]
    assert update["callback_query"]["data"] == "v0:stale-step"


async def test_url_buttons_cannot_be_clicked(tg: Emulator, client: RawClient) -> None:
    user = tg.user(42, "Amina")
    await user.send("/start")
    markup = {"inline_keyboard": [[{"text": "Website", "url": "https://example.org"}]]}
    await client.ok("sendMessage", chat_id=42, text="More", reply_markup=markup)
    with pytest.raises(DriverError, match="sends no callback"):
        await user.click("Website")


async def test_repeated_update_reaches_a_polling_bot_again(
    tg: Emulator, bot: EmulatedBot, client: RawClient
) -> None:
    user = tg.user(42, "Amina")
    with pytest.raises(DriverError):
        await user.repeat_last_update()
    await user.send("/start")
    first = await client.ok("getUpdates")
    await user.repeat_last_update()
    again = await client.ok("getUpdates", offset=first[-1]["update_id"] + 1)
    assert again == first
    assert await client.ok("getUpdates", offset=2) == []


async def test_a_person_can_talk_to_two_bots(tg: Emulator, bot: EmulatedBot) -> None:
    other = tg.add_bot("654321:OTHER-token", username="other_bot")
    await tg.user(42, "Amina").send("to the first")
    await tg.user(42, "Amina", bot="other_bot").send("to the second")
    assert [m.text for m in tg.chat(42).messages] == ["to the first"]
    assert [m.text for m in tg.chat(42, bot=other).messages] == ["to the second"]
    assert tg.bot(654321) is other
    assert tg.bot() is bot
