"""The machine-translation notice, through the conversation service over real storage."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import (
    Action,
    Ask,
    Button,
    Choice,
    End,
    Event,
    Flows,
    Input,
    InputKind,
    MessageCreated,
    Say,
    Trigger,
)
from bot.i18n.notice import ENGLISH, MACHINE_TRANSLATION, READ_IN_ENGLISH
from bot.services.clock import FixedClock
from bot.services.conversation import ConversationService
from bot.services.locks import KeyedLock
from bot.services.notices import MachineTranslationNotice
from bot.storage import ContactRecord, ContactRepository, SqlSessionStore
from tests.engine.builders import NOW, flow, flows
from tests.fakes import RecordingSender
from tests.services.test_conversation import builtin_actions_for

REVIEWED = frozenset({"en", "pl"})
QUESTION = "Are you safe right now?"


def sample() -> Flows:
    """A safety question, a language menu that returns to it, and a quick exit."""
    start = flow(
        "start",
        Say("hello", "Hello.", next="safe"),
        Ask(
            "safe",
            QUESTION,
            InputKind.CHOICE,
            choices=(Choice("Yes", "yes", next="bye"), Choice("No", "no", next="bye")),
        ),
        End("bye", "Take care."),
        home=True,
        trigger=Trigger(commands=("/start",)),
    )
    language = flow(
        "language",
        Ask(
            "pick",
            "Which language?",
            InputKind.CHOICE,
            save="language",
            next="set",
            choices=(Choice("اردو", "ur"), Choice("Polski", "pl")),
        ),
        Action("set", "set_language", {"language": "{language}"}, next="done"),
        End("done", "Thank you."),
        trigger=Trigger(commands=("/language",), returns=True),
    )
    leave = flow(
        "leave",
        Action("erase", "quick_exit", next="after"),
        End("after", "Done."),
        trigger=Trigger(commands=("/exit",)),
    )
    return flows(start, language, leave, quick_exit="leave")


class Talk:
    """One person talking to a service that gives the notice; what each turn showed."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
    ) -> None:
        self.contacts = ContactRepository(sessionmaker)
        self.contact = contact
        self.sender = RecordingSender()
        library = sample()
        self.service = ConversationService(
            flows=lambda: library,
            sessions=SqlSessionStore(sessionmaker),
            actions=builtin_actions_for(sessionmaker),
            sender=self.sender,
            clock=FixedClock(NOW),
            locks=KeyedLock(),
            notice=MachineTranslationNotice(self.contacts, REVIEWED.__contains__),
        )

    async def turn(self, given: Input) -> list[MessageCreated]:
        """The messages of one turn, in order."""
        events: list[Event] = await self.service.handle(self.contact, given)
        stored = await self.contacts.get(self.contact.id)
        self.contact = stored or self.contact  # as Telegram's ledger reads it each update
        return [event for event in events if isinstance(event, MessageCreated)]


async def person(sessionmaker: async_sessionmaker[AsyncSession], language: str | None) -> Talk:
    contact = await ContactRepository(sessionmaker).get_or_create(1, now=NOW, language=language)
    return Talk(sessionmaker, contact)


def texts(messages: list[MessageCreated]) -> list[str]:
    return [message.text for message in messages]


async def test_an_unreviewed_language_is_told_once_first_with_an_english_button(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    talk = await person(sessionmaker, "ar")

    first = await talk.turn(Input.say("/start"))
    again = await talk.turn(Input.say("/start"))

    assert texts(first) == [MACHINE_TRANSLATION, "Hello.", QUESTION]
    assert first[0].buttons == (Button(ENGLISH, "safe", READ_IN_ENGLISH, flow="start"),)
    assert first[0].step is None, "not a question: typed answers still go to the question"
    assert texts(again) == ["Hello.", QUESTION]
    assert talk.contact.notice_language == "ar"


@pytest.mark.parametrize("language", ["en", "pl", None])
async def test_english_and_reviewed_languages_are_never_told(
    sessionmaker: async_sessionmaker[AsyncSession], language: str | None
) -> None:
    talk = await person(sessionmaker, language)

    assert texts(await talk.turn(Input.say("/start"))) == ["Hello.", QUESTION]
    assert talk.contact.notice_language is None


async def test_the_english_button_switches_to_english_and_asks_the_question_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    talk = await person(sessionmaker, "ar")
    first = await talk.turn(Input.say("/start"))
    button = first[0].buttons[0]

    shown = await talk.turn(Input.press(button.step, button.value, button.flow))

    assert texts(shown) == [QUESTION]
    assert shown[0].buttons[0].value == "yes"
    assert (talk.contact.language, talk.contact.notice_language) == ("en", "ar")


async def test_the_english_button_of_an_old_turn_shows_where_the_person_is_now(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    talk = await person(sessionmaker, "ar")
    button = (await talk.turn(Input.say("/start")))[0].buttons[0]
    await talk.turn(Input.say("/language"))

    shown = await talk.turn(Input.press(button.step, button.value, button.flow))

    assert texts(shown) == ["Which language?"]
    assert talk.contact.language == "en"


async def test_choosing_another_unreviewed_language_tells_it_once_before_the_reply(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    talk = await person(sessionmaker, "ar")
    await talk.turn(Input.say("/start"))
    await talk.turn(Input.say("/language"))

    chosen = await talk.turn(Input.press("pick", "ur", "language"))
    again = await talk.turn(Input.say("/start"))

    assert texts(chosen) == [MACHINE_TRANSLATION, "Thank you.", QUESTION]
    assert talk.contact.notice_language == "ur"
    assert MACHINE_TRANSLATION not in texts(again)


async def test_choosing_a_reviewed_language_tells_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    talk = await person(sessionmaker, "ar")
    await talk.turn(Input.say("/start"))
    await talk.turn(Input.say("/language"))

    chosen = await talk.turn(Input.press("pick", "pl", "language"))

    assert texts(chosen) == ["Thank you.", QUESTION]
    assert talk.contact.notice_language == "ar"


async def test_a_quick_exit_is_not_followed_by_the_notice_the_next_turn_is(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    talk = await person(sessionmaker, "so")

    left = await talk.turn(Input.say("/exit"))
    back = await talk.turn(Input.say("hello"))

    assert talk.sender.erased == [talk.contact.id]
    assert texts(left) == ["Done."]
    assert texts(back)[0] == MACHINE_TRANSLATION
    assert back[0].buttons[0].step == "safe"


async def test_a_turn_that_shows_nothing_tells_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    talk = await person(sessionmaker, "ar")
    await ContactRepository(sessionmaker).delete(talk.contact.id)

    assert await talk.turn(Input.say("/start")) == []
