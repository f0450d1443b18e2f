"""The emulator's whole state, independent of HTTP: bots, people, faults, limits, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.testing.accounts import TOKEN_FORMAT, EmulatedBot
from bot.testing.clock import Clock, SystemClock
from bot.testing.errors import not_found, unauthorized
from bot.testing.faults import FaultInjector
from bot.testing.models import CallRecord, Person
from bot.testing.notify import Notifier
from bot.testing.ratelimit import RateLimiter, RateLimits

BotRef = EmulatedBot | str | int | None


@dataclass(frozen=True)
class EmulatorConfig:
    """Knobs for behaviour that tests want faster or stricter than Telegram's."""

    rate_limits: RateLimits = field(default_factory=RateLimits)
    webhook_retry_initial: float = 1.0
    webhook_retry_max: float = 60.0
    webhook_max_attempts: int = 20
    webhook_timeout: float = 10.0
    delete_window: float = 48 * 3600.0


class World:
    """Everything the emulator knows. All access happens on one event loop."""

    def __init__(self, config: EmulatorConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.clock: Clock = clock or SystemClock()
        self.changed = Notifier()
        self.bots: dict[str, EmulatedBot] = {}
        self.people: dict[int, Person] = {}
        self.faults = FaultInjector()
        self.limiter = RateLimiter(self.config.rate_limits, self.clock)
        self.calls: list[CallRecord] = []
        self.closed = False
        self.on_webhook_change: Callable[[EmulatedBot], None] = lambda bot: None
        self._queries = 0

    def now(self) -> int:
        """The emulator's time as Telegram dates it: whole Unix seconds."""
        return int(self.clock.now())

    def add_bot(
        self, token: str, username: str | None = None, first_name: str | None = None
    ) -> EmulatedBot:
        """Register a bot token; its id is the number before the colon."""
        if token in self.bots:
            raise ValueError(f"bot {token!r} is already registered")
        match = TOKEN_FORMAT.match(token)
        if match is None:
            raise ValueError(f"a bot token looks like 123456:ABC-def, not {token!r}")
        name = username or f"bot{match.group(1)}_bot"
        bot = EmulatedBot(token, name, first_name or name, self.changed)
        self.bots[token] = bot
        return bot

    def authorize(self, token: str) -> EmulatedBot:
        """The bot owning `token`: 404 for a malformed token, 401 for an unknown one."""
        bot = self.bots.get(token)
        if bot is not None:
            return bot
        raise unauthorized() if TOKEN_FORMAT.match(token) else not_found()

    def find_bot(self, ref: BotRef = None) -> EmulatedBot:
        """A bot by object, token or id; with no reference, the only (or first) bot."""
        if isinstance(ref, EmulatedBot):
            return ref
        if ref is None:
            if not self.bots:
                raise LookupError("no bot registered: call add_bot(token) first")
            return next(iter(self.bots.values()))
        for bot in self.bots.values():
            if ref in (bot.token, bot.id, bot.username):
                return bot
        raise LookupError(f"no bot {ref!r}; registered: {[b.username for b in self.bots.values()]}")

    def person(self, person_id: int, **details: Any) -> Person:
        """The person with this id, created with `details` the first time."""
        known = self.people.get(person_id)
        if known is None:
            known = self.people[person_id] = Person(person_id, **details)
        return known

    def next_query_id(self) -> str:
        """A fresh callback query id (Telegram's are long decimal strings)."""
        self._queries += 1
        return str(4_000_000_000_000 + self._queries)

    def record(self, bot: EmulatedBot, method: str, params: dict[str, Any]) -> CallRecord:
        """Remember a call before it is answered; the status is filled in afterwards."""
        record = CallRecord(bot.id, method, params, self.clock.now())
        bot.calls.append(record)
        self.calls.append(record)
        return record
