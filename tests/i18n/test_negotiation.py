"""Which language a person reads: their choice, else their Telegram app's, else English;
and an offer, never a switch, when the app's language is another one Standby speaks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.telegram.api import BotInfo, Command, Keyboard
from bot.adapters.telegram.callbacks import CallbackCodec
from bot.adapters.telegram.inbound import InboundHandler, Incoming, is_start
from bot.adapters.telegram.sender import TelegramSender
from bot.engine import Ask, Choice, InputKind, Say, Trigger
from bot.i18n import translator_for
from bot.i18n.catalogs import catalog_path
from bot.i18n.negotiation import language_to_offer, negotiate, telegram_language
from bot.services.actions import ActionRegistry
from bot.services.clock import FixedClock
from bot.services.conversation import ConversationService
from bot.storage import ContactRepository, MessageLog, SqlSessionStore, UpdateLedger
from tests.engine.builders import NOW, flow, flows


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("ar", "ar"),
        ("ar-EG", "ar"),
        ("fa-IR", "fa"),
        ("PL", "pl"),
        ("so_SO", "so"),
        ("pt-BR", None),
        ("", None),
        (None, None),
    ],
)
def test_telegram_codes_are_reduced_to_a_language_standby_speaks(
    code: str | None, language: str | None
) -> None:
    assert telegram_language(code) == language


@pytest.mark.parametrize(
    ("saved", "app", "used", "offered"),
    [
        ("pl", "ar", "pl", "ar"),  # their choice wins; their app's language is offered
        (None, "ar-EG", "ar", None),  # nothing chosen: the app's language, no offer needed
        (None, "pt-BR", "en", None),  # a language Standby doesn't speak: English
        (None, None, "en", None),
        ("en", "fa-IR", "en", "fa"),
        ("ar", "en", "ar", None),  # English is never offered to someone who chose
        ("ar", "ar", "ar", None),
        ("xx", "tr", "tr", None),  # a saved language Standby no longer speaks
    ],
)
def test_the_saved_choice_then_the_app_then_english(
    saved: str | None, app: str | None, used: str, offered: str | None
) -> None:
    assert negotiate(saved, app) == used
    assert language_to_offer(saved, app) == offered


@pytest.mark.parametrize(
    ("text", "starting"),
    [
        ("/start", True),
        ("/start@standby_bot", True),
        ("/start abc", True),
        ("/stats", False),
        ("start", False),
        (None, False),
    ],
)
def test_start_is_recognised_however_telegram_sends_it(text: str | None, starting: bool) -> None:
    assert is_start(Incoming(1, 7, True, text=text)) is starting


ARABIC = """\
msgid ""
msgstr ""
"Language: ar\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Hello."
msgstr "مرحبا."

msgid "Are you safe?"
msgstr "هل أنت بأمان؟"

msgid "Yes"
msgstr "نعم"

msgid "I can also write to you in {language}. To change, send /language."
msgstr "يمكنني أيضًا أن أكتب لك بـ{language}. للتغيير، أرسل /language."
"""
FLOWS = flows(
    flow(
        "start",
        Say("hello", "Hello.", next="safe"),
        Ask("safe", "Are you safe?", InputKind.CHOICE, choices=(Choice("Yes", "yes"),)),
        home=True,
        trigger=Trigger(commands=("/start",)),
    )
)


class RecordingApi:
    """The Bot API as far as sending goes: remembers the texts sent."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def get_me(self) -> BotInfo:
        return BotInfo(1, "standby_bot")

    async def send_message(
        self,
        chat_id: int,
        text: str,
        keyboard: Keyboard | None,
        *,
        reply_to: int | None = None,
        paid: bool = False,
    ) -> int:
        self.texts.append(text)
        return len(self.texts)

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: Keyboard | None
    ) -> None:
        self.texts.append(text)

    async def delete_message(self, chat_id: int, message_id: int) -> None: ...

    async def delete_messages(self, chat_id: int, message_ids: Sequence[int]) -> None: ...

    async def answer_callback(self, query_id: str, text: str | None = None) -> None: ...

    async def set_commands(self, commands: Sequence[Command], language: str | None) -> None: ...

    async def set_webhook(self, url: str, secret: str | None) -> None: ...

    async def delete_webhook(self) -> None: ...

    async def download(self, file_id: str) -> bytes:
        raise LookupError("no files here")


class Bot:
    """The Telegram core (inbound, conversation, sender) over a real database."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], locales: Path) -> None:
        self.api = RecordingApi()
        self.contacts = ContactRepository(sessionmaker)
        clock = FixedClock(NOW)
        codec = CallbackCodec(b"secret")
        sender = TelegramSender(
            self.api,
            contacts=self.contacts,
            messages=MessageLog(sessionmaker),
            codec=codec,
            translators=lambda language: translator_for(language, locales),
            clock=clock,
        )
        conversation = ConversationService(
            flows=lambda: FLOWS,
            sessions=SqlSessionStore(sessionmaker),
            actions=ActionRegistry(),
            sender=sender,
            clock=clock,
        )
        self.inbound = InboundHandler(
            bot_id=1,
            api=self.api,
            conversation=conversation,
            sender=sender,
            contacts=self.contacts,
            ledger=UpdateLedger(sessionmaker),
            codec=codec,
            flows=lambda: FLOWS,
            clock=clock,
        )
        self.update_id = 0

    async def says(self, chat: int, text: str, language_code: str | None) -> list[str]:
        """What Standby answers to `text` from someone whose app is in `language_code`."""
        self.update_id += 1
        before = len(self.api.texts)
        update = Incoming(
            self.update_id, chat, True, 100 + self.update_id, text=text, language_code=language_code
        )
        await self.inbound.receive(update)
        await self.inbound.drain()
        return self.api.texts[before:]


@pytest.fixture
def bot(sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path) -> Bot:
    path = catalog_path(tmp_path, "ar")
    path.parent.mkdir(parents=True)
    path.write_text(ARABIC, encoding="utf-8")
    return Bot(sessionmaker, tmp_path)


async def test_someone_new_is_written_to_in_their_app_s_language(bot: Bot) -> None:
    assert await bot.says(7, "/start", "ar-EG") == ["مرحبا.", "هل أنت بأمان؟"]
    contact = await bot.contacts.get_by_chat(7)
    assert contact is not None
    assert contact.language == "ar"


async def test_someone_who_chose_another_language_is_offered_theirs_at_start(bot: Bot) -> None:
    await bot.contacts.get_or_create(8, now=NOW, language="en")

    started = await bot.says(8, "/start", "ar")
    later = await bot.says(8, "hello", "ar")

    assert started == [
        "يمكنني أيضًا أن أكتب لك بـالعربية. للتغيير، أرسل /language.",
        "Hello.",
        "Are you safe?",
    ]
    assert later == ["Please choose one of the buttons below.", "Are you safe?"]


async def test_an_app_language_standby_does_not_speak_means_english(bot: Bot) -> None:
    assert await bot.says(9, "/start", "pt-BR") == ["Hello.", "Are you safe?"]
    contact = await bot.contacts.get_by_chat(9)
    assert contact is not None
    assert contact.language is None
