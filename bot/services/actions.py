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
from bot.services.broadcasts.subscribing import ALERT_ACTIONS
from bot.services.evidence import MEGABYTE, EvidenceFetcher, attachments_in
from bot.services.follow_up import FOLLOW_UP_ACTIONS, register_follow_up
from bot.services.helplines import HelplineFinder
from bot.services.ports import FileSource, Sender
from bot.services.privacy import PRIVACY_ACTIONS, register_privacy
from bot.services.reports import ReportService, ReportsUnavailableError
from bot.storage import ContactRecord, ContactRepository
from bot.storage.tables import REPORT_CONSENTS

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ActionContext:
    contact: ContactRecord
    request: ActionRequested
    sender: Sender
    # Where files the person sent can be fetched from; None where there are none (terminal).
    files: FileSource | None = None


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


# `contact` answers of the report flow; only "contactable" links a report to the chat.
CONTACTABLE = "contactable"


def builtin_actions(
    contacts: ContactRepository,
    *,
    helplines: HelplineFinder,
    reports: ReportService | None = None,
    evidence_max_bytes: int = 10 * MEGABYTE,
    report_retention_days: int = 365,
) -> ActionRegistry:
    """The actions every Standby has; `helplines` answers `find_helplines`, `reports`
    stores `submit_report` (without it, submitting fails and the flow's on_error runs).
    Files larger than `evidence_max_bytes` are not fetched with a report;
    `privacy_facts` tells people reports are kept `report_retention_days`."""
    registry = ActionRegistry()

    async def set_language(context: ActionContext) -> ActionResult:
        language = str(context.request.params.get("language", ""))
        if language not in LANGUAGES:
            log.error("set_language: the language is not one of %s", sorted(LANGUAGES))
            return ActionResult(ok=False)
        await contacts.set_language(context.contact.id, language)
        return ActionResult(values={"language": language})

    async def quick_exit(context: ActionContext) -> ActionResult:
        """Fails when Telegram kept some messages, so that the flow's words stay true (its
        `on_error` says so; without one the person is told all the same)."""
        erased = await context.sender.erase(context.contact, tell_if_kept=False)
        return ActionResult(ok=erased)

    async def find_helplines(context: ActionContext) -> ActionResult:
        """`about` and `wanted` (covers values, or lists), `what` (what happened: only its
        covers values count) and `nation` -> `helplines`, a text to show."""
        params = context.request.params
        found = helplines.find(
            params.get("about"),
            params.get("nation"),
            context.contact.language,
            params.get("wanted"),
            params.get("what"),
        )
        if found is None:
            log.error("find_helplines: no helpline fits, or there is no helpline directory")
            return ActionResult(ok=False)
        return ActionResult(values={"helplines": found})

    async def submit_report(context: ActionContext) -> ActionResult:
        """Every param is an answer; `consent` and `contact` also decide who may see it and
        whether it is tied to the chat. -> `reference`, the code to show the person."""
        params = dict(context.request.params)
        consent = params.pop("consent", None)
        if consent not in REPORT_CONSENTS:
            log.error("submit_report: consent is not one of %s", sorted(REPORT_CONSENTS))
            return ActionResult(ok=False)
        if reports is None or not reports.available:
            log.error("submit_report: REPORT_KEYS is not set, so the report was not stored")
            return ActionResult(ok=False)
        try:
            code = await reports.submit(
                params,
                consent=str(consent),
                anonymous=params.get("contact") != CONTACTABLE,
                contact=context.contact,
                key=context.request.key,
                evidence=EvidenceFetcher(context.files, evidence_max_bytes).each(
                    attachments_in(params)
                ),
            )
        except ReportsUnavailableError:
            log.error("submit_report: REPORT_KEYS is not set, so the report was not stored")
            return ActionResult(ok=False)
        return ActionResult(values={"reference": code})

    registry.register("set_language", set_language)
    registry.register("quick_exit", quick_exit)
    registry.register("find_helplines", find_helplines)
    registry.register("submit_report", submit_report)
    register_follow_up(registry, contacts, reports)
    register_privacy(registry, retention_days=report_retention_days)
    return registry


# Known to `standby flows check` without wiring a database.
ACTION_NAMES = frozenset({"set_language", "quick_exit", "find_helplines", "submit_report"})
ACTION_NAMES |= FOLLOW_UP_ACTIONS | ALERT_ACTIONS | PRIVACY_ACTIONS
