"""Fakes and builders for the broadcast tests (not mocks: each behaves like the real thing
and remembers): a scripted alert channel, translators with chosen texts, virtual time for
the rate limiter, and desks and delivery engines over a real database."""

from __future__ import annotations

import asyncio
import gettext
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flowdef.alerts import AlertTemplates, read_alerts_text
from bot.flowdef.areas import AreaDirectory, read_areas_text
from bot.flowdef.problems import Found
from bot.i18n import Translations
from bot.services.broadcasts.channel import SendResult, Sent
from bot.services.broadcasts.compose import AlertComposer, AlertContent
from bot.services.broadcasts.delivery import DeliveryEngine, DeliveryServices, Sleep
from bot.services.broadcasts.desk import Actor, BroadcastDesk
from bot.services.broadcasts.ratelimit import ChatSpacing, LocalRateLimiter, RateLimiter
from bot.services.clock import FixedClock
from bot.storage import ContactRepository
from bot.storage.audit import AuditLog
from bot.storage.broadcasts import BroadcastRecord, BroadcastRepository
from bot.storage.roles import RoleRepository
from bot.storage.subscriptions import SubscriptionRepository
from bot.storage.tables import delivery_table

Maker = async_sessionmaker[AsyncSession]
T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "flows"
LOCALES = ROOT / "locales"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
ADMIN_ID = 7001
CREATOR_CHAT = 7001
GATHERING = AlertContent(
    template="gathering_announced",
    fields={"place": "Clifton Park", "day": "2026-12-14", "time": "14:00"},
)
FREE = AlertContent(texts={"en": "Avoid the town centre today."})


# --- the flows folder's data files -------------------------------------------------------


def real_areas() -> AreaDirectory:
    """flows/data/areas.yaml, which must read without errors."""
    found = Found("areas.yaml")
    areas = read_areas_text((FLOWS / "data" / "areas.yaml").read_text(encoding="utf-8"), found)
    assert not found.has_errors, found.problems
    return areas


def real_templates() -> AlertTemplates:
    """flows/data/alerts.yaml, which must read without errors."""
    found = Found("alerts.yaml")
    text = (FLOWS / "data" / "alerts.yaml").read_text(encoding="utf-8")
    templates = read_alerts_text(text, found)
    assert not found.has_errors, found.problems
    return templates


class Holder(Generic[T]):
    """What a `lambda: library.x` gives the services, but replaceable (a reload)."""

    def __init__(self, value: T) -> None:
        self.value = value

    def __call__(self) -> T:
        return self.value


# --- translations ------------------------------------------------------------------------


class FakeCatalog(gettext.NullTranslations):
    """A catalog holding exactly `texts` (English source -> translation)."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        super().__init__()
        self.texts = dict(texts)
        self.asked: list[str] = []

    def gettext(self, message: str) -> str:
        self.asked.append(message)
        return self.texts.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


def fake_translators(
    by_language: Mapping[str, Mapping[str, str]] | None = None,
) -> Callable[[str | None], Translations]:
    """Translators as `translator_for` gives them (None: English), with chosen texts."""
    known = dict(by_language or {})

    def translator(language: str | None) -> Translations:
        code = language or "en"
        return Translations(code, FakeCatalog(known.get(code, {})))

    return translator


def composer(
    translations: Mapping[str, Mapping[str, str]] | None = None,
    templates: Callable[[], AlertTemplates] | None = None,
    areas: Callable[[], AreaDirectory] | None = None,
) -> AlertComposer:
    return AlertComposer(
        templates or Holder(real_templates()),
        areas or Holder(real_areas()),
        fake_translators(translations),
    )


# --- time --------------------------------------------------------------------------------


class VirtualTime:
    """A monotonic clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(seconds, 0.0)
        await asyncio.sleep(0)


class RecordingSleep:
    """A sleep that only remembers; it lets other tasks run but no time passes, unless
    the wait is at most `real_up_to` seconds (then it really waits, briefly)."""

    def __init__(
        self, real_up_to: float = 0.0, then: Callable[[float], None] | None = None
    ) -> None:
        self.calls: list[float] = []
        self.real_up_to = real_up_to
        self.then = then  # called after each sleep, e.g. to move a FixedClock on

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        await asyncio.sleep(seconds if 0 < seconds <= self.real_up_to else 0)
        if self.then is not None:
            self.then(seconds)


class BlockingSleep:
    """A sleep that never ends (until cancelled); counts who is waiting in it."""

    def __init__(self) -> None:
        self.waiting = 0
        self._never = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.waiting += 1
        try:
            await self._never.wait()
        finally:
            self.waiting -= 1


async def eventually(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Wait (polling briefly) until `condition` holds: database round trips take a moment."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the condition never held")
        await asyncio.sleep(0.005)


class RecordingLimiter:
    """LocalRateLimiter on virtual time, remembering the pauses it was asked for."""

    def __init__(self, rate: float = 1000.0) -> None:
        self.time = VirtualTime()
        self.inner = LocalRateLimiter(rate, now=self.time.now, sleep=self.time.sleep)
        self.acquired = 0
        self.pauses: list[float] = []

    async def acquire(self) -> None:
        self.acquired += 1
        await self.inner.acquire()

    async def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        await self.inner.pause(seconds)

    async def close(self) -> None:
        await self.inner.close()


class VirtualSpacing(ChatSpacing):
    """ChatSpacing on virtual time."""

    def __init__(self) -> None:
        self.time = VirtualTime()
        super().__init__(now=self.time.now, sleep=self.time.sleep)


# --- the channel -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SentAlert:
    chat_id: int
    text: str
    reply_to: int | None
    paid: bool
    at: datetime


# One attempt's answer: a result, an exception to raise, or an event to wait for first
# (never set: the send hangs until cancelled).
Step = SendResult | BaseException | asyncio.Event


@dataclass
class FakeChannel:
    """Answers each chat's sends from its script, then `Sent`; remembers everything."""

    clock: FixedClock
    scripts: dict[int, list[Step]] = field(default_factory=dict)
    # Answers by attempt number (1 is the first send of all), before any chat's script.
    by_attempt: dict[int, Step] = field(default_factory=dict)
    attempts: list[SentAlert] = field(default_factory=list)
    sent: list[SentAlert] = field(default_factory=list)  # the attempts answered `Sent`
    notes: list[tuple[int, str]] = field(default_factory=list)
    edits: list[tuple[int, int, str, datetime]] = field(default_factory=list)
    after_send: Callable[[int], None] | None = None
    notify_answers: int | None = 900
    _next_id: int = 1000

    def script(self, chat_id: int, *steps: Step) -> None:
        self.scripts.setdefault(chat_id, []).extend(steps)

    async def send_alert(
        self, chat_id: int, text: str, *, reply_to: int | None, paid: bool
    ) -> SendResult:
        attempt = SentAlert(chat_id, text, reply_to, paid, self.clock.now())
        self.attempts.append(attempt)
        result = await self._answer(chat_id, len(self.attempts))
        if isinstance(result, Sent):
            self.sent.append(attempt)
        if self.after_send is not None:
            self.after_send(chat_id)
        return result

    async def _answer(self, chat_id: int, attempt: int) -> SendResult:
        steps = self.scripts.get(chat_id, [])
        if attempt in self.by_attempt:
            steps = [self.by_attempt.pop(attempt), *steps]
            self.scripts[chat_id] = steps
        while steps:
            step = steps.pop(0)
            if isinstance(step, asyncio.Event):
                await step.wait()
                continue
            if isinstance(step, BaseException):
                raise step
            return step
        self._next_id += 1
        return Sent(self._next_id)

    def sent_chats(self) -> list[int]:
        """Chats that got the alert, once per message that arrived, in order."""
        return [attempt.chat_id for attempt in self.sent]

    async def notify(self, chat_id: int, text: str) -> int | None:
        self.notes.append((chat_id, text))
        return self.notify_answers

    async def update_note(self, chat_id: int, message_id: int, text: str) -> bool:
        self.edits.append((chat_id, message_id, text, self.clock.now()))
        return True


# --- the database ------------------------------------------------------------------------


async def subscribe(maker: Maker, people: Mapping[int, tuple[str | None, str]]) -> dict[int, int]:
    """(language, area) by chat id: each a contact subscribed to the area; chat -> contact."""
    contacts, subscriptions = ContactRepository(maker), SubscriptionRepository(maker)
    ids = {}
    for chat_id, (language, area) in people.items():
        contact = await contacts.get_or_create(chat_id, now=NOW, language=language)
        await subscriptions.add(contact.id, area, now=NOW)
        ids[chat_id] = contact.id
    return ids


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    chat_id: int
    status: str
    claimed_by: str | None
    attempts: int
    resent: bool
    message_id: int | None


async def deliveries(maker: Maker, broadcast_id: int) -> dict[int, DeliveryRow]:
    """Each delivery of the broadcast, by chat id."""
    d = delivery_table.c
    statement = select(d.chat_id, d.status, d.claimed_by, d.attempts, d.resent, d.message_id).where(
        d.broadcast_id == broadcast_id
    )
    async with maker() as session:
        rows = (await session.execute(statement)).all()
    return {row.chat_id: DeliveryRow(*row) for row in rows}


def desk_for(
    maker: Maker,
    clock: FixedClock,
    *,
    channel: FakeChannel | None = None,
    approvals: int = 1,
    admin_ids: Sequence[int] = (ADMIN_ID,),
    alert_composer: AlertComposer | None = None,
    wake: Callable[[], None] | None = None,
) -> BroadcastDesk:
    return BroadcastDesk(
        repository=BroadcastRepository(maker),
        subscriptions=SubscriptionRepository(maker),
        roles=RoleRepository(maker),
        audit=AuditLog(maker),
        composer=alert_composer or composer(),
        areas=Holder(real_areas()),
        clock=clock,
        admin_ids=admin_ids,
        approvals_needed=approvals,
        rate=25.0,
        channel=channel,
        wake=wake,
    )


def engine_for(
    maker: Maker,
    channel: FakeChannel,
    clock: FixedClock,
    *,
    alert_composer: AlertComposer | None = None,
    limiter: RateLimiter | None = None,
    sleep: Sleep | None = None,
    name: str = "sender-a",
    single_sender: bool = False,
    rate: float = 10.0,
    paid: bool = False,
    repository: BroadcastRepository | None = None,
    spacing: ChatSpacing | None = None,
    monotonic: Callable[[], float] | None = None,
) -> DeliveryEngine:
    """A delivery engine with nothing waiting on real time (batches of 5 at rate 10)."""
    services = DeliveryServices(
        broadcasts=repository or BroadcastRepository(maker),
        contacts=ContactRepository(maker),
        subscriptions=SubscriptionRepository(maker),
        audit=AuditLog(maker),
    )
    return DeliveryEngine(
        services,
        channel,
        alert_composer or composer(),
        limiter or RecordingLimiter(),
        clock,
        rate=rate,
        paid=paid,
        single_sender=single_sender,
        name=name,
        spacing=spacing if spacing is not None else VirtualSpacing(),
        sleep=sleep or RecordingSleep(),
        monotonic=monotonic or time.monotonic,
    )


async def drain(*engines: DeliveryEngine, passes: int = 50) -> int:
    """Run the engines' passes together until none has anything to do; passes made."""
    for done in range(1, passes + 1):
        handled = await asyncio.gather(*(engine.run_once() for engine in engines))
        if not any(handled):
            return done
    raise AssertionError(f"delivery still busy after {passes} passes")


async def sent_alert(
    desk: BroadcastDesk,
    actor: Actor,
    *,
    areas: Sequence[str] = ("rotherham",),
    content: AlertContent = FREE,
    languages: Sequence[str] | None = None,
    expires_at: datetime | None = None,
    chat_id: int | None = CREATOR_CHAT,
) -> BroadcastRecord:
    """An alert written and submitted by `actor` (started, with one approval needed)."""
    draft = await desk.repository.create(
        kind="alert",
        content=content.as_json(),
        areas=list(areas),
        created_by=actor.key,
        now=desk.now(),
        languages=languages,
        creator_chat_id=chat_id,
        expires_at=expires_at,
    )
    submitted = await desk.submit(draft.id, actor)
    assert submitted is not None
    return submitted.record
