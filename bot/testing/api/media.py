"""sendPhoto, sendDocument and getFile."""

from __future__ import annotations

from bot.testing.api.context import Call, Handler
from bot.testing.api.messages import formatted, remember_keyboard, reply_markup
from bot.testing.errors import bad_request
from bot.testing.files import DOWNLOAD_LIMIT
from bot.testing.models import Json
from bot.testing.text import checked_caption


async def _send_file(call: Call, kind: str) -> Json:
    chat = call.chat_to_send()
    caption = checked_caption(formatted(call, "caption", "caption_entities"))
    markup = reply_markup(call)
    stored = call.bot.files.resolve(kind, call.params.file(kind), kind)
    call.spend_rate(chat)
    fields: dict[str, object] = {kind: stored}
    message = chat.add(
        call.bot.to_api(),
        True,
        call.world.now(),
        caption=caption.text if caption else None,
        entities=caption.entities if caption else [],
        parse_mode=call.params.text("parse_mode"),
        source_text=call.params.text("caption"),
        reply_markup=markup,
        **fields,
    )
    remember_keyboard(chat, markup)
    call.changed()
    return message.to_api()


async def send_photo(call: Call) -> Json:
    """sendPhoto: an upload, a file_id or a URL, with a caption of up to 1024 characters."""
    return await _send_file(call, "photo")


async def send_document(call: Call) -> Json:
    """sendDocument: like sendPhoto, keeping the file name and MIME type."""
    return await _send_file(call, "document")


async def get_file(call: Call) -> Json:
    """getFile: the file_path to download `{base}/file/bot{token}/{file_path}` from."""
    file_id = call.params.text("file_id")
    stored = call.bot.files.get(file_id or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


HANDLERS: dict[str, Handler] = {
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "getFile": get_file,
}
