"""The Bot API envelope: tokens, method names, and every body encoding clients use."""

from __future__ import annotations

import json

import aiohttp

from bot.testing import EmulatedBot, Emulator
from tests.testing.support import RawClient, keyboard


async def test_get_me_describes_the_bot(client: RawClient, bot: EmulatedBot) -> None:
    me = await client.ok("getMe")
    assert me["id"] == 123456
    assert me["is_bot"] is True
    assert me["username"] == "standby_bot"


async def test_unknown_token_is_unauthorized(client: RawClient) -> None:
    async with client.session.post(client.url("getMe", token="999:nope")) as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }


async def test_malformed_token_and_unknown_method_are_not_found(client: RawClient) -> None:
    async with client.session.get(client.url("getMe", token="garbage")) as response:
        assert response.status == 404
    status, description = await client.error("sendTelepathy")
    assert (status, description) == (404, "Not Found")


async def test_method_names_are_case_insensitive_and_get_works(client: RawClient) -> None:
    async with client.session.get(client.url("GETME")) as response:
        body = await response.json()
    assert body["ok"]
    assert body["result"]["username"] == "standby_bot"


async def test_urlencoded_form_values_are_decoded_by_type(tg: Emulator, client: RawClient) -> None:
    user = tg.user(42, "Amina")
    await user.send("hi")
    data = {"chat_id": "42", "text": "[1, 2]", "reply_markup": keyboard([("A", "a")])}
    status, body = await client.form("sendMessage", data)
    assert status == 200, body
    # Text stays text even when it looks like JSON; reply_markup is decoded.
    assert body["result"]["text"] == "[1, 2]"
    assert user.last_bot_message is not None
    assert user.last_bot_message.button_labels == ["A"]


async def test_multipart_form_with_attach_reference(tg: Emulator, client: RawClient) -> None:
    await tg.user(42, "Amina").send("hi")
    form = aiohttp.FormData()
    form.add_field("chat_id", "42")
    form.add_field("photo", "attach://upload")
    form.add_field("upload", b"\xff\xd8jpeg", filename="cat.jpg", content_type="image/jpeg")
    form.add_field("allow_paid_broadcast", "true")
    status, body = await client.form("sendPhoto", form)
    assert status == 200, body
    assert body["result"]["photo"][0]["file_size"] == 6


async def test_bad_json_body_is_a_bad_request(client: RawClient) -> None:
    headers = {"Content-Type": "application/json"}
    async with client.session.post(client.url("getMe"), data="{", headers=headers) as response:
        assert response.status == 400
        assert (await response.json())["description"].startswith("Bad Request")


async def test_calls_are_recorded_with_params_and_status(tg: Emulator, client: RawClient) -> None:
    await client.call("sendMessage", chat_id=7, text="nobody")
    (call,) = tg.calls_of("sendmessage")
    assert call.method == "sendMessage"
    assert call.params == {"chat_id": 7, "text": "nobody"}
    assert (call.status, call.description) == (400, "Bad Request: chat not found")
    assert json.dumps(call.params)
