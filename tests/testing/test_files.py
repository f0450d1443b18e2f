"""Photos and documents both ways, getFile and downloads."""

from __future__ import annotations

import io

import aiohttp
import pytest

from bot.testing import EmulatedBot, Emulator, User
from tests.testing.support import RawClient

JPEG = b"\xff\xd8\xff\xe0fake-jpeg-bytes"


@pytest.fixture
async def user(tg: Emulator, client: RawClient) -> User:
    """A person who has started the bot."""
    amina = tg.user(42, "Amina")
    await amina.send("/start")
    return amina


async def _download(client: RawClient, file_id: str) -> bytes:
    file = await client.ok("getFile", file_id=file_id)
    url = f"{client.base_url}/file/bot{client.token}/{file['file_path']}"
    async with client.session.get(url) as response:
        assert response.status == 200
        return await response.read()


async def test_bot_uploads_a_photo_and_reuses_its_file_id(user: User, client: RawClient) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", "42")
    form.add_field("caption", "<i>evidence</i>")
    form.add_field("parse_mode", "HTML")
    form.add_field("photo", JPEG, filename="photo.jpg", content_type="image/jpeg")
    status, body = await client.form("sendPhoto", form)
    assert status == 200, body
    message = body["result"]
    assert message["caption"] == "evidence"
    assert message["caption_entities"] == [{"type": "italic", "offset": 0, "length": 8}]
    file_id = message["photo"][-1]["file_id"]
    again = await client.ok("sendPhoto", chat_id=42, photo=file_id)
    assert again["photo"][0]["file_id"] == file_id
    assert await _download(client, file_id) == JPEG
    assert user.last_bot_message is not None
    assert user.last_bot_message.photo is not None


async def test_documents_keep_name_and_type(user: User, client: RawClient) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", "42")
    form.add_field("document", b"%PDF-1.4", filename="report.pdf", content_type="application/pdf")
    status, body = await client.form("sendDocument", form)
    assert status == 200, body
    document = body["result"]["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == (
        "report.pdf",
        "application/pdf",
        8,
    )
    assert (await client.ok("getFile", file_id=document["file_id"]))["file_path"].endswith(".pdf")


async def test_user_files_can_be_fetched_by_the_bot(user: User, client: RawClient) -> None:
    await user.send_photo(JPEG, caption="what they sent me")
    await user.send_document(b"log", "chat.txt", caption=None)
    updates = await client.ok("getUpdates", offset=2)
    photo, document = updates[0]["message"], updates[1]["message"]
    assert photo["caption"] == "what they sent me"
    assert await _download(client, photo["photo"][-1]["file_id"]) == JPEG
    assert document["document"]["file_name"] == "chat.txt"
    assert await _download(client, document["document"]["file_id"]) == b"log"


async def test_file_errors(user: User, client: RawClient, bot: EmulatedBot) -> None:
    _, description = await client.error("getFile", file_id="nope")
    assert description == "Bad Request: invalid file_id"
    _, description = await client.error("sendPhoto", chat_id=42, photo="nope")
    assert description == "Bad Request: wrong file identifier/HTTP URL specified"
    _, description = await client.error("sendPhoto", chat_id=42, photo="x", caption="c" * 1025)
    assert description == "Bad Request: message caption is too long"
    stored = bot.files.add("document", b"x", "a.txt")
    _, description = await client.error("sendPhoto", chat_id=42, photo=stored.file_id)
    assert description == "Bad Request: can't use file of type Document as Photo"
    async with client.session.get(f"{client.base_url}/file/bot{client.token}/x/y") as response:
        assert response.status == 404


async def test_photos_by_url_are_accepted_without_fetching(user: User, client: RawClient) -> None:
    message = await client.ok("sendPhoto", chat_id=42, photo="https://example.org/cat.jpg")
    assert message["photo"][0]["file_size"] == 0


async def test_oversized_uploads_are_refused(user: User, client: RawClient) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", "42")
    # A stream, because aiohttp warns about sending large bytes objects directly.
    form.add_field("document", io.BytesIO(b"x" * (53 * 1024 * 1024)), filename="huge.bin")
    status, body = await client.form("sendDocument", form)
    assert (status, body["description"]) == (413, "Request Entity Too Large")
