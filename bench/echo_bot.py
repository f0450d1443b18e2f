"""The floors: bare echo bots (no storage, no engine), for bench/updates.py.

BOT_TOKEN=… BOT_API_URL=http://127.0.0.1:PORT python -m bench.echo_bot [aiogram|ptb]
"""

from __future__ import annotations

import asyncio
import os
import sys


async def aiogram_echo(token: str, base_url: str) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    bot = Bot(token, session=session)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(f"You said: {message.text}")

    await dispatcher.start_polling(bot, polling_timeout=25)


def ptb_echo(token: str, base_url: str) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None:
            await update.message.reply_text(f"You said: {update.message.text}")

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base_url}/bot")
        .concurrent_updates(True)  # like Standby's adapter: updates handled side by side
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(timeout=25)


if __name__ == "__main__":
    token, base_url = os.environ["BOT_TOKEN"], os.environ["BOT_API_URL"]
    if sys.argv[1:] == ["ptb"]:
        ptb_echo(token, base_url)
    else:
        asyncio.run(aiogram_echo(token, base_url))
