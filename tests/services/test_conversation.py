"""The conversation service over real storage (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import (
    Action,
    ActionResult,
    Ask,
    Choice,
    Flows,
    Input,
    InputKind,
    MessageCreated,
    Say,
    Step,
    Trigger,
    texts,
)
from bot.flowdef.areas import AreaDirectory
from bot.i18n import translator_for
from bot.services.actions import ActionContext, ActionRegistry, builtin_actions
from bot.services.broadcasts.subscribing import register_alert_actions
from bot.services.clock import FixedClock
from bot.services.conversation import ConversationService
from bot.services.helplines import HelplineDirectory, HelplineFinder
from bot.services.housekeeping import forget_quiet_sessions
from bot.services.locks import KeyedLock
from bot.storage import ContactRecord, ContactRepository, SqlSessionStore, StoredSession
from bot.storage.subscriptions import SubscriptionRepository
from tests.engine.builders import NOW, flow, flows, sample
from tests.fakes import RecordingSender


def said(sender: RecordingSender, contact: ContactRecord) -> list[str]:
    events = sender.delivered.get(contact.id, [])
    return [e.text for e in events if isinstance(e, MessageCreated)]


def builtin_actions_for(sessionmaker: async_sessionmaker[AsyncSession]) -> ActionRegistry:
    """The actions bootstrap wires, with no helpline directory and no alert areas."""
    helplines = HelplineFinder(HelplineDirectory, FixedClock(NOW), Path("locales"))
    actions = builtin_actions(ContactRepository(sessionmaker), helplines=helplines)
    register_alert_actions(
        actions,
        SubscriptionRepository(sessionmaker),
        lambda: AreaDirectory(()),
        lambda language: translator_for(language, Path("locales")),
        FixedClock(NOW),
    )
    return actions


def service(
    sessionmaker: async_sessionmaker[AsyncSession],
    sender: RecordingSender,
    *,
    library: Flows | None = None,
    actions: ActionRegistry | None = None,
    store: SqlSessionStore | None = None,
) -> ConversationService:
    chosen = library or sample()
    return ConversationService(
        flows=lambda: chosen,
        sessions=store or SqlSessionStore(sessionmaker),
        actions=actions or builtin_actions_for(sessionmaker),
        sender=sender,
        clock=FixedClock(NOW),
        locks=KeyedLock(),
    )


def language_flows(choices: tuple[Choice, ...], *, then: Step) -> Flows:
    """A language question, the set_language action, then `then`."""
    return flows(
        flow(
            "menu",
            Ask(
                "lang", "Language?", InputKind.CHOICE, save="language", next="set", choices=choices
            ),
            Action("set", "set_language", {"language": "{language}"}, next=then.id),
            then,
            home=True,
        )
    )


@pytest.fixture
async def contact(sessionmaker: async_sessionmaker[AsyncSession]) -> ContactRecord:
    return await ContactRepository(sessionmaker).get_or_create(1001, now=NOW, language="en")


async def test_a_restart_resumes_where_the_person_was(
    sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
) -> None:
    first = RecordingSender()
    await service(sessionmaker, first).handle(contact, Input.say("hello"))
    await service(sessionmaker, first).handle(contact, Input.press("pick", "report"))
    assert said(first, contact)[-1] == "Who is reporting?"

    after_restart = RecordingSender()
    await service(sessionmaker, after_restart).handle(contact, Input.refresh())
    assert said(after_restart, contact) == ["Who is reporting?"]


async def test_two_processes_resuming_one_session_lose_no_update(
    sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
) -> None:
    kinds = (Choice("Race", "race"), Choice("Religion", "religion"), Choice("Other", "other"))
    multi = flows(
        flow(
            "menu", Ask("what", "About?", InputKind.CHOICE, choices=kinds, multiple=True), home=True
        )
    )
    sender = RecordingSender()
    await service(sessionmaker, sender, library=multi).handle(contact, Input.refresh())

    both_loaded = asyncio.Barrier(2)

    class RacingStore(SqlSessionStore):
        """Makes both turns load the same version before either saves."""

        first = True

        async def load(self, contact_id: int) -> StoredSession | None:
            stored = await super().load(contact_id)
            if RacingStore.first:
                await both_loaded.wait()
            return stored

        async def save(self, *args: object, **kwargs: object) -> int:
            RacingStore.first = False
            return await super().save(*args, **kwargs)  # type: ignore[arg-type]

    # Separate services with separate locks: as two bot processes on one database.
    one, two = (
        service(sessionmaker, sender, library=multi, store=RacingStore(sessionmaker))
        for _ in range(2)
    )
    await asyncio.gather(
        one.handle(contact, Input.press("what", "race")),
        two.handle(contact, Input.press("what", "religion")),
    )
    stored = await SqlSessionStore(sessionmaker).load(contact.id)
    assert stored is not None
    assert sorted(str(value) for value in stored.session.picked) == ["race", "religion"]
    assert stored.version == 3


async def test_actions_run_through_the_registry(
    sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
) -> None:
    languages = language_flows((Choice("العربية", "ar"),), then=Say("ok", "Now in {language}."))
    sender = RecordingSender()
    talk = service(sessionmaker, sender, library=languages)
    await talk.handle(contact, Input.refresh())
    await talk.handle(contact, Input.press("lang", "ar"))
    assert said(sender, contact)[-1] == "Now in {language}."
    saved = await ContactRepository(sessionmaker).get(contact.id)
    assert saved is not None
    assert saved.language == "ar"


async def test_a_failing_service_is_a_failure_not_a_crash(
    sessionmaker: async_sessionmaker[AsyncSession],
    contact: ContactRecord,
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry = ActionRegistry()

    async def broken(context: ActionContext) -> ActionResult:
        raise RuntimeError("the database is on fire")

    registry.register("submit_report", broken)
    sender = RecordingSender()
    talk = service(sessionmaker, sender, actions=registry)
    for given in (
        Input.say("hi"),
        Input.press("pick", "report"),
        Input.press("who", "victim"),
        Input.say("today"),
        Input.say("Secret Street Leeds"),
    ):
        await talk.handle(contact, given)
    assert said(sender, contact)[-3:] == [
        texts.FAILED,
        "Hello. I am Standby.",
        "What would you like to do?",
    ]
    assert "action 'submit_report' failed" in caplog.text
    assert "Secret Street" not in caplog.text, "what people type never reaches the logs"


async def test_quick_exit_erases_the_screen(
    sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
) -> None:
    leaving = flows(
        flow("menu", Ask("q", "Hello?", InputKind.TEXT), home=True),
        flow("exit", Action("erase", "quick_exit"), trigger=Trigger(commands=("/exit",))),
    )
    sender = RecordingSender()
    talk = service(sessionmaker, sender, library=leaving)
    await talk.handle(contact, Input.refresh())
    await talk.handle(contact, Input.say("/exit"))
    assert sender.erased == [contact.id]
    stored = await SqlSessionStore(sessionmaker).load(contact.id)
    assert stored is not None
    assert not stored.session.active


async def test_logs_hold_no_typed_text_at_debug(
    sessionmaker: async_sessionmaker[AsyncSession],
    contact: ContactRecord,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    talk = service(sessionmaker, RecordingSender())
    for given in (
        Input.say("hi"),
        Input.press("pick", "report"),
        Input.press("who", "victim"),
        Input.say("today"),
        Input.say("Zebracrossing"),
    ):
        await talk.handle(contact, given)
    assert "Zebracrossing" not in caplog.text
    assert str(contact.chat_id) not in caplog.text


def test_the_checker_knows_every_builtin_action(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from bot.services.actions import ACTION_NAMES

    assert builtin_actions_for(sessionmaker).names == ACTION_NAMES


async def test_a_remembered_session_another_process_moved_on_is_reloaded(
    sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
) -> None:
    sender = RecordingSender()
    one, two = service(sessionmaker, sender), service(sessionmaker, sender)
    await one.handle(contact, Input.say("hello"))  # one remembers version 1
    await two.handle(contact, Input.press("pick", "report"))  # two moves it to version 2
    await one.handle(contact, Input.press("who", "witness"))  # one's memory is stale
    stored = await SqlSessionStore(sessionmaker).load(contact.id)
    assert stored is not None
    assert (stored.session.step, stored.version) == ("when", 3)
    assert said(sender, contact)[-1] == "When did it happen?"


async def test_a_remembered_session_deleted_elsewhere_starts_afresh(
    sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
) -> None:
    sender = RecordingSender()
    talk = service(sessionmaker, sender)
    await talk.handle(contact, Input.say("hello"))
    await talk.handle(contact, Input.press("pick", "report"))
    await SqlSessionStore(sessionmaker).delete(contact.id)  # purged by another process
    await talk.handle(contact, Input.press("who", "witness"))
    assert said(sender, contact)[-3:] == [
        texts.BUTTON_EXPIRED,
        "Hello. I am Standby.",
        "What would you like to do?",
    ]
    stored = await SqlSessionStore(sessionmaker).load(contact.id)
    assert stored is not None
    assert stored.session.flow == "menu"


async def test_regression_no_action_runs_on_a_remembered_session_another_process_changed(
    sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
) -> None:
    languages = language_flows(
        (Choice("English", "en"), Choice("العربية", "ar")),
        then=Ask("then", "Where?", InputKind.TEXT),
    )
    sender = RecordingSender()
    one = service(sessionmaker, sender, library=languages)
    two = service(sessionmaker, sender, library=languages)
    await one.handle(contact, Input.refresh())  # one remembers: waiting on the language
    await two.handle(contact, Input.press("lang", "en"))  # two answers it: now on "then"
    await one.handle(contact, Input.say("2"))  # stale memory would pick Arabic here
    saved = await ContactRepository(sessionmaker).get(contact.id)
    assert saved is not None
    assert saved.language == "en", "the '2' was an answer to 'Where?', not a language"
    stored = await SqlSessionStore(sessionmaker).load(contact.id)
    assert stored is not None
    assert (stored.session.active, stored.version) == (False, 3), "'2' answered 'Where?'"


async def test_someone_back_after_a_long_quiet_is_told_why_it_starts_again(
    sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
) -> None:
    sender = RecordingSender()
    clock = FixedClock(NOW)
    talk = ConversationService(
        flows=sample,
        sessions=SqlSessionStore(sessionmaker),
        actions=builtin_actions_for(sessionmaker),
        sender=sender,
        clock=clock,
    )
    await talk.handle(contact, Input.say("hi"))
    await talk.handle(contact, Input.press("pick", "report"))
    await talk.handle(contact, Input.press("who", "victim"))
    clock.advance(timedelta(hours=5))
    assert await forget_quiet_sessions(SqlSessionStore(sessionmaker), clock.now()) == 1
    stored = await SqlSessionStore(sessionmaker).load(contact.id)
    assert stored is not None
    assert stored.session.vars == {}, "answers are gone once the session went quiet"
    back = ConversationService(
        flows=sample,
        sessions=SqlSessionStore(sessionmaker),
        actions=builtin_actions_for(sessionmaker),
        sender=sender,
        clock=clock,
    )
    await back.handle(contact, Input.say("hello again"))
    assert said(sender, contact)[-3:] == [
        texts.EXPIRED,
        "Hello. I am Standby.",
        "What would you like to do?",
    ]
