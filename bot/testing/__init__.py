"""A Telegram Bot API emulator and a user-side driver, for tests and a local sandbox.

    async with Emulator() as tg:
        bot = tg.add_bot("123456:TEST-token", username="standby_bot")
        user = tg.user(id=42, first_name="Amina", language_code="ar")
        await user.send("/start")
        reply = await user.wait_for_reply()
        await user.click("Yes, I am safe")

Point aiogram at `TelegramAPIServer.from_base(tg.base_url)` or python-telegram-bot at
`base_url(tg.base_url + "/bot")`. This package stands alone: it knows Telegram, not Standby.
"""

from bot.testing.accounts import EmulatedBot, WebhookConfig, WebhookStatus
from bot.testing.clock import Clock, FakeClock, SystemClock
from bot.testing.driver import DriverError, User
from bot.testing.emulator import Emulator
from bot.testing.errors import ApiError
from bot.testing.faults import Fault, FaultRule
from bot.testing.models import CallbackQuery, CallRecord, Chat, ChatMessage, Person, StoredFile
from bot.testing.ratelimit import RateLimits
from bot.testing.world import EmulatorConfig

__all__ = [
    "ApiError",
    "CallRecord",
    "CallbackQuery",
    "Chat",
    "ChatMessage",
    "Clock",
    "DriverError",
    "EmulatedBot",
    "Emulator",
    "EmulatorConfig",
    "FakeClock",
    "Fault",
    "FaultRule",
    "Person",
    "RateLimits",
    "StoredFile",
    "SystemClock",
    "User",
    "WebhookConfig",
    "WebhookStatus",
]
