"""Named services that flows ask for with `action:` steps.

The engine only requests an action; the registry runs its handler and answers with an
`ActionResult`. A handler that raises is logged (without parameters, which may hold what
the person typed) and answered as a failure, so the flow's `on_error` or the home flow
takes over.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.engine import ActionRequested, ActionResult
from bot.i18n.languages import LANGUAGES
from bot.services.helplines import HelplineFinder
from bot.services.ports import Sender
from bot.storage import ContactRecord, ContactRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ActionContext:
    contact: ContactRecord
    request: ActionRequested
    sender: Sender


Handler = Callable[[ActionContext], Awaitable[ActionResult]]


class ActionRegistry:
    """Maps action names to handlers."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, name: str, handler: Handler) -> None:
        self._handlers[name] = handler

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._handlers)

    async def run(self, context: ActionContext) -> ActionResult:
        handler = self._handlers.get(context.request.name)
        if handler is None:
            log.error("no handler for action %r", context.request.name)
            return ActionResult(ok=False)
        try:
            result = await handler(context)
            json.dumps(dict(result.values), allow_nan=False)  # they become session data
            return result
        except Exception:
            log.exception(
                "action %r failed at %s/%s",
                context.request.name,
                context.request.flow,
                context.request.step,
            )
            return ActionResult(ok=False)


def builtin_actions(contacts: ContactRepository, *, helplines: HelplineFinder) -> ActionRegistry:
    """The actions every Standby has; `helplines` answers `find_helplines`."""
    registry = ActionRegistry()

    async def set_language(context: ActionContext) -> ActionResult:
        language = str(context.request.params.get("language", ""))
        if language not in LANGUAGES:
            log.error("set_language: the language is not one of %s", sorted(LANGUAGES))
            return ActionResult(ok=False)
        await contacts.set_language(context.contact.id, language)
        return ActionResult(values={"language": language})

    async def quick_exit(context: ActionContext) -> ActionResult:
        await context.sender.erase(context.contact)
        return ActionResult()

    async def find_helplines(context: ActionContext) -> ActionResult:
        """`about` (a covers value, or a list) and `nation` -> `helplines`, a text to show."""
        params = context.request.params
        found = helplines.find(params.get("about"), params.get("nation"), context.contact.language)
        if found is None:
            log.error("find_helplines: no helpline fits, or there is no helpline directory")
            return ActionResult(ok=False)
        return ActionResult(values={"helplines": found})

    registry.register("set_language", set_language)
    registry.register("quick_exit", quick_exit)
    registry.register("find_helplines", find_helplines)
    return registry


# Known to `standby flows check` without wiring a database.
ACTION_NAMES = frozenset({"set_language", "quick_exit", "find_helplines"})
