"""The floor: a bare aiogram echo bot (no storage, no engine), for bench/updates.py.

BOT_TOKEN=… BOT_API_URL=http://127.0.0.1:PORT python -m bench.echo_bot
"""

from __future__ import annotations

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["BOT_API_URL"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(f"You said: {message.text}")

    await dispatcher.start_polling(bot, polling_timeout=25)


if __name__ == "__main__":
    asyncio.run(main())
