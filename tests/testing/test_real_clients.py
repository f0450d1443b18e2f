"""aiogram and python-telegram-bot, unmodified, accept the emulator's answers."""

from __future__ import annotations

import datetime

import pytest
from aiogram import Bot as AiogramBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from telegram import Bot as PtbBot
from telegram import InlineKeyboardButton as PtbButton
from telegram import InlineKeyboardMarkup as PtbMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import ApplicationBuilder

from bot.testing import EmulatedBot, Emulator, Fault

JPEG = b"\xff\xd8\xff\xe0jpeg"


async def test_aiogram_bot(tg: Emulator, bot: EmulatedBot) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    user = tg.user(42, "Amina", language_code="ar")
    async with AiogramBot(bot.token, session=session) as client:
        assert (await client.get_me()).username == "standby_bot"
        await user.send("/start")
        await user.send_photo(JPEG)
        updates = await client.get_updates(offset=0, timeout=1)
        assert updates[0].message is not None
        assert updates[0].message.text == "/start"
        assert updates[0].message.from_user is not None
        assert updates[0].message.from_user.language_code == "ar"
        photo = updates[1].message.photo if updates[1].message else None
        assert photo is not None
        assert (await client.download(photo[-1].file_id)).read() == JPEG  # type: ignore[union-attr]

        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Yes, I am safe", callback_data="safe")]]
        )
        sent = await client.send_message(
            42, "<b>Are you safe?</b>", parse_mode="HTML", reply_markup=markup
        )
        assert sent.text == "Are you safe?"
        assert sent.message_id == 3
        query = await user.click("Yes, I am safe")
        updates = await client.get_updates(offset=updates[-1].update_id + 1, timeout=1)
        callback = updates[0].callback_query
        assert callback is not None
        assert callback.data == "safe"
        assert await client.answer_callback_query(callback.id, text="Thanks")
        assert query.answered
        await client.edit_message_reply_markup(
            chat_id=42, message_id=sent.message_id, reply_markup=None
        )
        with pytest.raises(TelegramBadRequest, match="message is not modified"):
            await client.edit_message_reply_markup(chat_id=42, message_id=sent.message_id)
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await client.send_message(42, "<p>nope</p>", parse_mode="HTML")

        tg.inject(Fault.too_many_requests(3))
        with pytest.raises(TelegramRetryAfter) as retry:
            await client.send_message(42, "hello")
        assert retry.value.retry_after == 3
        tg.inject(Fault.blocked())
        with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
            await client.send_message(42, "hello")
        assert await client.delete_message(42, sent.message_id)
    assert [m.text for m in user.bot_messages] == []


async def test_python_telegram_bot(
    tg: Emulator, bot: EmulatedBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Opt in to PTB's timedelta retry_after instead of its deprecated int.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    user = tg.user(42, "Amina")
    base = tg.base_url
    async with PtbBot(
        bot.token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot"
    ) as client:
        assert client.username == "standby_bot"
        await user.send("/start")
        await user.send_document(b"notes", "notes.txt")
        updates = await client.get_updates(timeout=1)
        assert updates[0].message is not None
        assert updates[0].message.text == "/start"
        document = updates[1].message.document if updates[1].message else None
        assert document is not None
        assert document.file_name == "notes.txt"
        file = await client.get_file(document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"notes"

        markup = PtbMarkup([[PtbButton("No", callback_data="unsafe")]])
        sent = await client.send_message(42, "Are you safe?", reply_markup=markup)
        assert sent.reply_markup is not None
        await user.click("No")
        updates = await client.get_updates(offset=updates[-1].update_id + 1, timeout=1)
        callback = updates[0].callback_query
        assert callback is not None
        assert callback.data == "unsafe"
        assert await callback.answer("Noted")
        with pytest.raises(BadRequest, match="Message is not modified"):
            await client.edit_message_reply_markup(42, sent.message_id, reply_markup=markup)

        tg.inject(Fault.too_many_requests(2))
        with pytest.raises(RetryAfter) as retry:
            await client.send_message(42, "hello")
        assert retry.value.retry_after == datetime.timedelta(seconds=2)
        user.deactivate()
        with pytest.raises(Forbidden, match="user is deactivated"):
            await client.send_message(42, "hello")


async def test_ptb_application_builder_base_url(tg: Emulator, bot: EmulatedBot) -> None:
    application = ApplicationBuilder().token(bot.token).base_url(tg.base_url + "/bot").build()
    async with application:
        assert application.bot.username == "standby_bot"
