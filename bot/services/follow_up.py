"""Actions for following up a report with its code (/myreport) and for /forget_me.

Kept apart from `actions.py` so the registry stays small; `builtin_actions` registers
these. The reference code travels in action parameters, which are never logged; the
follow-up handlers log outcomes only, never the code, what was added or the contact.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.engine import ActionResult
from bot.services.reports import (
    ReportNotFoundError,
    ReportService,
    ReportsUnavailableError,
    TooManyWrongCodesError,
)
from bot.storage import ContactRepository, ReportRecord
from bot.storage.tables import REPORT_CONSENTS

if TYPE_CHECKING:
    from bot.services.actions import ActionContext, ActionRegistry

log = logging.getLogger(__name__)

FOLLOW_UP_ACTIONS = frozenset(
    {
        "find_my_report",
        "add_to_report",
        "change_report_consent",
        "withdraw_report",
        "delete_report",
        "forget",
        "forget_me",
    }
)
# `forget_me`'s `reports` parameter: keep them without the link to the person, or delete.
FORGET_REPORT_CHOICES = frozenset({"unlink", "delete"})
# Raised by a by-code change whose report the flow can no longer reach: on_error says sorry.
_UNREACHABLE = (ReportNotFoundError, TooManyWrongCodesError, ReportsUnavailableError)

Handler = Callable[["ActionContext"], Awaitable[ActionResult]]
Change = Callable[[ReportService, "ActionContext", str], Awaitable[ReportRecord | None]]


def register_follow_up(
    registry: ActionRegistry, contacts: ContactRepository, reports: ReportService | None
) -> None:
    """Register the follow-up and forget-me actions on `registry`."""
    registry.register("find_my_report", _find_my_report(reports))
    registry.register("add_to_report", _changing(reports, "add_to_report", _add))
    registry.register(
        "change_report_consent", _changing(reports, "change_report_consent", _consent)
    )
    registry.register("withdraw_report", _changing(reports, "withdraw_report", _withdraw))
    registry.register("delete_report", _changing(reports, "delete_report", _delete))
    registry.register("forget", _forget)
    registry.register("forget_me", _forget_me(contacts, reports))


def _described(record: ReportRecord) -> dict[str, str]:
    return {"report_status": record.status, "report_consent": record.consent}


def _find_my_report(reports: ReportService | None) -> Handler:
    async def find_my_report(context: ActionContext) -> ActionResult:
        """`code` -> `report_lookup` (`found`, `not_found` or `wait` after too many
        wrong codes) and, when found, `report_status` and `report_consent`."""
        if reports is None:
            log.error("find_my_report: no report service is wired")
            return ActionResult(ok=False)
        code = str(context.request.params.get("code") or "")
        try:
            found = await reports.look_up(code, asker=context.contact.id)
        except ReportNotFoundError:
            return ActionResult(values={"report_lookup": "not_found"})
        except TooManyWrongCodesError:
            # No contact id, for the same reason as the changes below.
            log.info("find_my_report: too many wrong report codes; asked to wait")
            return ActionResult(values={"report_lookup": "wait"})
        return ActionResult(values={"report_lookup": "found", **_described(found)})

    return find_my_report


def _changing(reports: ReportService | None, name: str, change: Change) -> Handler:
    """A handler for one change by code -> the report's new `report_status` and
    `report_consent` (nothing once deleted); fails when the report cannot be reached."""

    async def handler(context: ActionContext) -> ActionResult:
        code = str(context.request.params.get("code") or "")
        if reports is None:
            log.error("%s: no report service is wired", name)
            return ActionResult(ok=False)
        try:
            changed = await change(reports, context, code)
        except _UNREACHABLE as problem:
            log.info("%s not done: %s", name, type(problem).__name__)
            return ActionResult(ok=False)
        # No contact id: a contact's id next to the moment a report changed would tie an
        # anonymous report (whose dates are only the day) to its chat.
        log.info("%s done", name)
        return ActionResult(values={} if changed is None else _described(changed))

    return handler


async def _add(reports: ReportService, context: ActionContext, code: str) -> ReportRecord:
    text = str(context.request.params.get("text") or "").strip()
    if not text:
        raise ValueError("add_to_report: there is no text to add")
    return await reports.add_information(code, text, asker=context.contact.id)


async def _consent(reports: ReportService, context: ActionContext, code: str) -> ReportRecord:
    consent = context.request.params.get("consent")
    if consent not in REPORT_CONSENTS:
        raise ValueError(f"change_report_consent: consent is not one of {REPORT_CONSENTS}")
    return await reports.set_consent(code, str(consent), asker=context.contact.id)


async def _withdraw(reports: ReportService, context: ActionContext, code: str) -> ReportRecord:
    return await reports.withdraw(code, asker=context.contact.id)


async def _delete(reports: ReportService, context: ActionContext, code: str) -> None:
    await reports.delete(code, asker=context.contact.id)


async def _forget(context: ActionContext) -> ActionResult:
    """Answers nothing, so the variables in the step's `save:` are emptied: a report's
    answers and code must not stay in the session once it is done with, even when the
    menu called the flow (a called flow's variables outlive it)."""
    return ActionResult()


def _forget_me(contacts: ContactRepository, reports: ReportService | None) -> Handler:
    async def forget_me(context: ActionContext) -> ActionResult:
        """`reports`: `unlink` (kept, anonymous) or `delete`. Then erases the chat and deletes
        the contact with their session and message ids. Nothing is sent after it."""
        contact = context.contact
        choice = context.request.params.get("reports")
        if choice not in FORGET_REPORT_CHOICES:
            log.error("forget_me: reports is not one of %s", sorted(FORGET_REPORT_CHOICES))
            return ActionResult(ok=False)
        if reports is None and choice == "delete":
            log.error("forget_me: no report service is wired, so reports cannot be deleted")
            return ActionResult(ok=False)
        # Reports first: if that fails, nothing at all has changed, as the flow then says.
        if reports is not None:
            await reports.forget_contact(contact.id, delete_reports=choice == "delete")
        await context.sender.erase(contact)
        # Reports left linked would be unlinked here anyway (ON DELETE SET NULL); the
        # session and message ids go with the row (ON DELETE CASCADE).
        await contacts.delete(contact.id)
        log.info("contact %d: forgotten at their request (reports: %s)", contact.id, choice)
        return ActionResult()

    return forget_me
