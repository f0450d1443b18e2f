"""sendMessage validation: lengths in UTF-16, markup parsing, keyboards, chats."""

from __future__ import annotations

import json

import pytest

from bot.testing import Emulator, User
from tests.testing.support import RawClient, keyboard


@pytest.fixture
async def user(tg: Emulator, client: RawClient) -> User:
    """A person who has started the bot."""
    amina = tg.user(42, "Amina", language_code="ar")
    await amina.send("/start")
    return amina


async def test_text_up_to_4096_characters_is_accepted(user: User, client: RawClient) -> None:
    result = await client.ok("sendMessage", chat_id=42, text="a" * 4096)
    assert len(result["text"]) == 4096
    status, description = await client.error("sendMessage", chat_id=42, text="a" * 4097)
    assert (status, description) == (400, "Bad Request: message is too long")


async def test_length_counts_utf16_code_units(user: User, client: RawClient) -> None:
    # Each emoji is one character but two UTF-16 code units.
    await client.ok("sendMessage", chat_id=42, text="😀" * 2048)
    status, description = await client.error("sendMessage", chat_id=42, text="😀" * 2049)
    assert (status, description) == (400, "Bad Request: message is too long")


async def test_text_is_trimmed_and_must_not_be_empty(user: User, client: RawClient) -> None:
    result = await client.ok("sendMessage", chat_id=42, text="  hello \n")
    assert result["text"] == "hello"
    _, description = await client.error("sendMessage", chat_id=42, text=" \n ")
    assert description == "Bad Request: message text is empty"


async def test_limit_applies_after_entity_parsing(user: User, client: RawClient) -> None:
    text = "<b>" + "a" * 4096 + "</b>"
    result = await client.ok("sendMessage", chat_id=42, text=text, parse_mode="HTML")
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 4096}]


async def test_html_is_parsed_into_entities(user: User, client: RawClient) -> None:
    text = '<b>Safe</b> &amp; <a href="https://example.org">sound</a> 😀<i>x</i>'
    result = await client.ok("sendMessage", chat_id=42, text=text, parse_mode="HTML")
    assert result["text"] == "Safe & sound 😀x"
    assert result["entities"] == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "text_link", "offset": 7, "length": 5, "url": "https://example.org"},
        {"type": "italic", "offset": 15, "length": 1},
    ]
    assert user.last_bot_message is not None
    assert user.last_bot_message.source_text == text


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<p>hi</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
    ],
)
async def test_bad_html_cannot_be_parsed(
    user: User, client: RawClient, text: str, detail: str
) -> None:
    status, description = await client.error(
        "sendMessage", chat_id=42, text=text, parse_mode="HTML"
    )
    assert status == 400
    assert description == f"Bad Request: can't parse entities: {detail}"


async def test_unescaped_markdown_v2_is_refused(user: User, client: RawClient) -> None:
    _, description = await client.error(
        "sendMessage", chat_id=42, text="Call 999.", parse_mode="MarkdownV2"
    )
    assert "Character '.' is reserved" in description
    result = await client.ok(
        "sendMessage", chat_id=42, text="*Call* 999\\.", parse_mode="MarkdownV2"
    )
    assert result["text"] == "Call 999."


async def test_callback_data_is_limited_to_64_bytes(user: User, client: RawClient) -> None:
    await client.ok("sendMessage", chat_id=42, text="q", reply_markup=keyboard([("ok", "é" * 32)]))
    status, description = await client.error(
        "sendMessage", chat_id=42, text="q", reply_markup=keyboard([("too long", "é" * 33)])
    )
    assert (status, description) == (400, "Bad Request: BUTTON_DATA_INVALID")
    _, description = await client.error(
        "sendMessage", chat_id=42, text="q", reply_markup=keyboard([("empty", "")])
    )
    assert description == "Bad Request: BUTTON_DATA_INVALID"


async def test_button_counts_are_limited(user: User, client: RawClient) -> None:
    rows = [[(f"b{r}{c}", f"d{r}{c}") for c in range(8)] for r in range(12)]
    await client.ok("sendMessage", chat_id=42, text="96", reply_markup=keyboard(*rows))
    _, description = await client.error(
        "sendMessage", chat_id=42, text="104", reply_markup=keyboard(*rows, rows[0])
    )
    assert description == "Bad Request: reply markup is too long"
    _, description = await client.error(
        "sendMessage", chat_id=42, text="9 in a row", reply_markup=keyboard(rows[0] + [("x", "x")])
    )
    assert description == "Bad Request: reply markup is too long"


async def test_inline_buttons_need_an_action(user: User, client: RawClient) -> None:
    markup = json.dumps({"inline_keyboard": [[{"text": "nothing"}]]})
    _, description = await client.error("sendMessage", chat_id=42, text="q", reply_markup=markup)
    assert "Text buttons are unallowed in the inline keyboard" in description
    _, description = await client.error("sendMessage", chat_id=42, text="q", reply_markup="{oops")
    assert description == "Bad Request: can't parse reply keyboard markup JSON object"


async def test_reply_keyboards_can_be_shown_and_removed(user: User, client: RawClient) -> None:
    shown = {"keyboard": [["Report", {"text": "Help"}]], "resize_keyboard": True}
    await client.ok("sendMessage", chat_id=42, text="menu", reply_markup=shown)
    assert user.reply_keyboard == ["Report", "Help"]
    await client.ok("sendMessage", chat_id=42, text="bye", reply_markup={"remove_keyboard": True})
    assert user.reply_keyboard is None


async def test_paid_broadcast_flag_is_accepted(user: User, client: RawClient) -> None:
    await client.ok("sendMessage", chat_id=42, text="news", allow_paid_broadcast=True)


async def test_unknown_chats_and_strangers_cannot_be_messaged(
    tg: Emulator, client: RawClient
) -> None:
    _, description = await client.error("sendMessage", chat_id=5, text="hi")
    assert description == "Bad Request: chat not found"
    stranger = tg.user(77, "Never Started")
    status, description = await client.error("sendMessage", chat_id=stranger.id, text="hi")
    assert (status, description) == (403, "Forbidden: bot can't initiate conversation with a user")


async def test_message_ids_increase_per_chat(tg: Emulator, user: User, client: RawClient) -> None:
    other = tg.user(43, "Ben")
    await other.send("/start")
    first = await client.ok("sendMessage", chat_id=42, text="one")
    second = await client.ok("sendMessage", chat_id=42, text="two")
    elsewhere = await client.ok("sendMessage", chat_id=43, text="one")
    assert (first["message_id"], second["message_id"], elsewhere["message_id"]) == (2, 3, 2)
    assert first["from"]["is_bot"]
    assert first["chat"] == {
        "id": 42,
        "first_name": "Amina",
        "type": "private",
    }
