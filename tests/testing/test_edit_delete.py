"""Editing and deleting: "message is not modified", the 48-hour rule, who may delete what."""

from __future__ import annotations

import json

import pytest

from bot.testing import Emulator, FakeClock, User
from tests.testing.support import RawClient, keyboard

HOUR = 3600.0


@pytest.fixture
async def user(tg: Emulator, client: RawClient) -> User:
    """A person who has started the bot."""
    amina = tg.user(42, "Amina")
    await amina.send("/start")
    return amina


async def _sent(client: RawClient, **extra: object) -> int:
    result = await client.ok("sendMessage", chat_id=42, text="Are you safe?", **extra)
    return int(result["message_id"])


async def test_edit_reply_markup_not_modified(user: User, client: RawClient) -> None:
    markup = keyboard([("Yes", "yes"), ("No", "no")])
    message_id = await _sent(client, reply_markup=markup)
    status, description = await client.error(
        "editMessageReplyMarkup", chat_id=42, message_id=message_id, reply_markup=markup
    )
    assert status == 400
    assert description.startswith("Bad Request: message is not modified: specified new message")
    changed = keyboard([("Yes ✓", "yes")])
    result = await client.ok(
        "editMessageReplyMarkup", chat_id=42, message_id=message_id, reply_markup=changed
    )
    assert result["reply_markup"] == json.loads(changed)
    assert "edit_date" in result
    assert user.bot_messages[0].button_labels == ["Yes ✓"]
    await client.ok("editMessageReplyMarkup", chat_id=42, message_id=message_id)
    assert user.bot_messages[0].buttons == []


async def test_edit_text_drops_the_keyboard_unless_repeated(user: User, client: RawClient) -> None:
    message_id = await _sent(client, reply_markup=keyboard([("Yes", "yes")]))
    await client.ok(
        "editMessageText",
        chat_id=42,
        message_id=message_id,
        text="<b>Thanks</b>",
        parse_mode="HTML",
    )
    (message,) = user.bot_messages
    assert (message.text, message.buttons, message.version) == ("Thanks", [], 1)
    _, description = await client.error(
        "editMessageText",
        chat_id=42,
        message_id=message_id,
        text="*Thanks*",
        parse_mode="MarkdownV2",
    )
    assert description.startswith("Bad Request: message is not modified")


async def test_edit_refuses_missing_and_foreign_messages(user: User, client: RawClient) -> None:
    _, description = await client.error("editMessageText", chat_id=42, message_id=99, text="x")
    assert description == "Bad Request: message to edit not found"
    _, description = await client.error("editMessageText", chat_id=42, message_id=1, text="x")
    assert description == "Bad Request: message can't be edited"


async def test_delete_both_sides_within_48_hours(
    user: User, client: RawClient, clock: FakeClock
) -> None:
    message_id = await _sent(client)
    clock.advance(47 * HOUR)
    assert await client.ok("deleteMessage", chat_id=42, message_id=message_id) is True
    assert await client.ok("deleteMessage", chat_id=42, message_id=1) is True
    assert user.messages == []
    assert [m.deleted for m in user.history] == [True, True]
    _, description = await client.error("deleteMessage", chat_id=42, message_id=message_id)
    assert description == "Bad Request: message to delete not found"


async def test_delete_after_48_hours_is_refused(
    user: User, client: RawClient, clock: FakeClock
) -> None:
    message_id = await _sent(client)
    clock.advance(48 * HOUR)
    status, description = await client.error("deleteMessage", chat_id=42, message_id=message_id)
    assert (status, description) == (400, "Bad Request: message can't be deleted")
    assert user.last_bot_message is not None
    assert not user.last_bot_message.deleted


async def test_delete_messages_skips_what_it_cannot_find(
    user: User, client: RawClient, clock: FakeClock
) -> None:
    old = await _sent(client)
    clock.advance(49 * HOUR)
    await user.send("quick exit")
    recent = await _sent(client)
    assert await client.ok("deleteMessages", chat_id=42, message_ids=[old, 1, 3, recent, 99])
    assert [m.message_id for m in user.messages] == [1, old]
    _, description = await client.error("deleteMessages", chat_id=42, message_ids=[old])
    assert description == "Bad Request: message can't be deleted"


async def test_bots_delete_only_their_own_group_messages(tg: Emulator, client: RawClient) -> None:
    group = tg.add_group(-1001, "Volunteers")
    result = await client.ok("sendMessage", chat_id=group.id, text="report #1")
    person = {"id": 5, "is_bot": False, "first_name": "V"}
    somebody = group.add(person, False, tg.world.now(), text="hi")
    _, description = await client.error(
        "deleteMessage", chat_id=group.id, message_id=somebody.message_id
    )
    assert description == "Bad Request: message can't be deleted"
    assert await client.ok("deleteMessage", chat_id=group.id, message_id=result["message_id"])
