"""The sandbox chat page and its `/_emulator` JSON endpoints."""

from __future__ import annotations

from bot.testing import EmulatedBot, Emulator
from tests.testing.support import RawClient, keyboard


async def test_page_is_self_contained(tg: Emulator, client: RawClient) -> None:
    async with client.session.get(tg.base_url + "/") as response:
        assert response.status == 200
        page = await response.text()
    assert "<script>" in page
    assert "/_emulator/chats/" in page
    # No external assets: the sandbox must work offline.
    for external in ('src="http', 'href="http', "<link", "@import"):
        assert external not in page


async def test_a_person_chats_through_the_endpoints(
    tg: Emulator, bot: EmulatedBot, client: RawClient
) -> None:
    base = tg.base_url + "/_emulator"
    session = client.session
    async with session.get(base + "/bots") as response:
        assert (await response.json())["bots"] == [
            {"id": bot.id, "username": "standby_bot", "first_name": "standby_bot"}
        ]
    person = {"bot": bot.id, "first_name": "Sam", "language_code": "en"}
    async with session.post(base + "/users", json={**person, "id": 1001}) as response:
        assert (await response.json())["chat"]["id"] == 1001
    async with session.post(
        base + "/chats/1001/messages", json={**person, "text": "/start"}
    ) as response:
        assert (await response.json())["text"] == "/start"
    update = (await client.ok("getUpdates"))[0]
    assert update["message"]["from"]["first_name"] == "Sam"
    sent = await client.ok(
        "sendMessage",
        chat_id=1001,
        text="<b>Hi</b>",
        parse_mode="HTML",
        reply_markup=keyboard([("Go", "go")]),
    )
    async with session.get(base + "/chats/1001", params={"bot": str(bot.id)}) as response:
        chat = await response.json()
    shown = chat["messages"][-1]
    assert (shown["text"], shown["entities"][0]["type"]) == ("Hi", "bold")
    assert shown["buttons"] == [[{"text": "Go", "callback_data": "go"}]]
    click = {"bot": bot.id, "message_id": sent["message_id"], "data": "go"}
    async with session.post(base + "/chats/1001/clicks", json=click) as response:
        assert response.status == 200
    assert (await client.ok("getUpdates", offset=2))[0]["callback_query"]["data"] == "go"


async def test_photos_are_served_to_the_page(
    tg: Emulator, bot: EmulatedBot, client: RawClient
) -> None:
    user = tg.user(7, "Sam")
    await user.send_photo(b"\xff\xd8img")
    async with client.session.get(tg.base_url + "/_emulator/chats/7") as response:
        photo_url = (await response.json())["messages"][0]["photo"]
    async with client.session.get(tg.base_url + photo_url) as response:
        assert await response.read() == b"\xff\xd8img"


async def test_endpoint_errors_are_json(tg: Emulator, bot: EmulatedBot, client: RawClient) -> None:
    base = tg.base_url + "/_emulator"
    async with client.session.get(base + "/chats/999") as response:
        assert response.status == 404
        assert await response.json() == {"error": "no such chat"}
    async with client.session.post(base + "/chats/abc/messages", json={"text": "x"}) as response:
        assert response.status == 400
    async with client.session.post(base + "/users", data="not json") as response:
        assert (await response.json()) == {"error": "send a JSON object"}
