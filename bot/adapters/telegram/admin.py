"""Admin commands in the bot's private chat: /broadcast and what follows it.

Only staff (ADMIN_IDS, and the roles `standby admins` grants) reach this. For anyone else
these commands are unknown: the conversation answers them like any unknown command, so
nothing tells a stranger that admin commands exist. Who is staff is read from the
database every half minute, not on every message.

Commands: /broadcast (write one), /broadcast_status [#], /broadcast_cancel #,
/correct # and /retract # (to exactly who received alert #), /approve #.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable

from bot.adapters.telegram.admin_wizard import BroadcastWizard
from bot.adapters.telegram.api import BotApi, Keyboard
from bot.adapters.telegram.callbacks import signature
from bot.adapters.telegram.errors import TelegramError
from bot.adapters.telegram.inbound import Incoming
from bot.engine.triggers import command_of
from bot.flowdef.alerts import AlertTemplates
from bot.flowdef.areas import AreaDirectory
from bot.i18n.languages import SELF_NAMES
from bot.services.broadcasts.compose import AlertContent
from bot.services.broadcasts.desk import Actor, Approval, BroadcastDesk, NotAllowedError
from bot.services.broadcasts.typed import InputError
from bot.storage.broadcasts import BroadcastRecord
from bot.storage.roles import RoleRepository

log = logging.getLogger(__name__)

PREFIX = "adm"
COMMANDS = frozenset(
    {"/broadcast", "/broadcast_status", "/broadcast_cancel", "/correct", "/retract", "/approve"}
)
STAFF_REFRESH = 30.0  # seconds
DRAFT_STEPS_TYPED = ("field:", "text:", "note", "expiry")
RECENT = 10


class AdminCodec:
    """Signs admin buttons for one chat: `adm:<broadcast>:<operation>:<signature>`."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def encode(self, chat_id: int, broadcast_id: int, operation: str) -> str:
        body = f"{broadcast_id}:{operation}"
        return f"{PREFIX}:{body}:{self._sign(chat_id, body)}"

    def decode(self, chat_id: int, data: str) -> tuple[int, str] | None:
        prefix, _, rest = data.partition(":")
        body, _, signature = rest.rpartition(":")
        number, _, operation = body.partition(":")
        if prefix != PREFIX or not number.isdecimal() or not operation:
            return None
        if not hmac.compare_digest(signature, self._sign(chat_id, body)):
            return None
        return int(number), operation

    def _sign(self, chat_id: int, body: str) -> str:
        return signature(self._secret, f"admin:{chat_id}:{body}")


class AdminHandler:
    def __init__(
        self,
        api: BotApi,
        desk: BroadcastDesk,
        roles: RoleRepository,
        admin_ids: frozenset[int],
        templates: Callable[[], AlertTemplates],
        areas: Callable[[], AreaDirectory],
        secret: bytes,
    ) -> None:
        self._api = api
        self._desk = desk
        self._roles = roles
        self._admin_ids = admin_ids
        self._codec = AdminCodec(secret)
        self._staff: frozenset[int] = admin_ids
        self._staff_read = float("-inf")
        self._wizard_for: dict[int, BroadcastWizard] = {}
        self._templates = templates
        self._areas = areas

    async def handles(self, update: Incoming) -> bool:
        """Handle `update` if it is staff's admin business; False to let the conversation
        have it (everyone else, and staff talking to the bot like anyone)."""
        if not update.private or update.chat_id not in await self._staff_ids():
            return False
        data = update.callback_data or ""
        command = command_of(update.text or "")
        if not data.startswith(f"{PREFIX}:") and command not in COMMANDS:
            if command is not None or update.text is None:
                return False
            draft = await self._desk.repository.draft_of(update.chat_id)
            if draft is None or not (draft.draft_step or "").startswith(DRAFT_STEPS_TYPED):
                return False
        actor = await self._desk.telegram_actor(update.chat_id)
        if actor is None:  # a role taken away in the last half minute
            return False
        try:
            if data:
                await self._press(actor, update)
            elif command in COMMANDS:
                await self._command(actor, command or "", (update.text or "").split()[1:])
            else:
                await self._typed(actor, update.text or "")
        except NotAllowedError as refused:
            await self._say(update.chat_id, f"Sorry: {refused}.")
        except TelegramError as error:
            log.warning("an admin's message not answered: %s", type(error).__name__)
        except Exception:
            # Staff get an answer whatever broke; what was saved (the draft) stays.
            log.exception("an admin command failed")
            await self._say(
                update.chat_id,
                "Sorry, something went wrong on our side. Nothing more was sent. "
                "Try again, or /broadcast_status to see where things are.",
            )
        return True

    async def _staff_ids(self) -> frozenset[int]:
        if time.monotonic() - self._staff_read > STAFF_REFRESH:
            holders = await self._roles.holders("admin", "sender", "approver")
            self._staff = self._admin_ids | frozenset(holders)
            self._staff_read = time.monotonic()
        return self._staff

    def _wizard(self, chat_id: int) -> BroadcastWizard:
        if chat_id not in self._wizard_for:
            self._wizard_for[chat_id] = BroadcastWizard(
                self._api,
                self._desk,
                self._templates,
                self._areas,
                lambda broadcast, op: self._codec.encode(chat_id, broadcast, op),
            )
        return self._wizard_for[chat_id]

    # -- commands -------------------------------------------------------------------

    async def _command(self, actor: Actor, command: str, args: list[str]) -> None:
        chat = actor.chat_id or 0
        number = _number(args)
        if command == "/broadcast":
            await self._begin(actor, "alert")
        elif command == "/broadcast_status":
            await self._status(chat, number)
        elif number is None:
            await self._say(
                chat,
                f"Please add the broadcast's number: {command} 12. /broadcast_status lists them.",
            )
        elif command == "/broadcast_cancel":
            stopped = await self._desk.cancel(number, actor)
            await self._say(
                chat,
                f"Broadcast #{number} cancelled."
                if stopped
                else f"Broadcast #{number} is not running or waiting.",
            )
        elif command == "/approve":
            await self._approve(actor, number)
        else:
            kind = "correction" if command == "/correct" else "retraction"
            await self._begin(actor, kind, number)

    async def _begin(self, actor: Actor, kind: str, original: int | None = None) -> None:
        chat = actor.chat_id or 0
        _require_sender(actor)
        old = await self._desk.repository.draft_of(chat)
        if old is not None:
            await self._desk.repository.update(
                old.id, only_if=["draft"], status="cancelled", draft_step=None
            )
        wizard = self._wizard(chat)
        step = wizard.first_step(kind)
        if original is None:
            record = await self._desk.repository.create(
                kind=kind,
                content=AlertContent().as_json(),
                areas=[],
                created_by=actor.key,
                now=self._desk.now(),
                creator_chat_id=chat,
                draft_step=step,
            )
        else:
            try:
                record = await self._desk.follow_up(
                    original,
                    actor,
                    kind=kind,
                    content=AlertContent(),
                    chat_id=chat,
                    draft_step=step,
                )
            except LookupError as error:
                await self._say(chat, f"{str(error).capitalize()}.")
                return
        await wizard.show(chat, record)

    async def _status(self, chat: int, number: int | None) -> None:
        if number is not None:
            found = await self._desk.status(number)
            if found is None:
                await self._say(chat, f"There is no broadcast #{number}.")
                return
            record, counts = found
            keyboard: Keyboard | None = None
            if record.status in ("draft", "awaiting_approval", "sending"):
                keyboard = ((("Cancel it", self._codec.encode(chat, record.id, "cancel")),),)
            await self._say(
                chat, f"{self._desk.progress(record, counts)} ({record.status})", keyboard
            )
            return
        records = await self._desk.repository.with_status(
            "awaiting_approval", "sending", "done", "cancelled", limit=RECENT
        )
        if not records:
            await self._say(chat, "No broadcasts yet. /broadcast writes one.")
            return
        lines = []
        for record in records:
            counts = await self._desk.repository.counts(record.id)
            sent = f"{counts['sent']:,} / {counts.total:,} sent"
            lines.append(f"#{record.id} {record.kind}, {record.status}: {sent}")
        await self._say(chat, "\n".join(lines) + "\n\n/broadcast_status 12 shows one.")

    async def _approve(self, actor: Actor, number: int) -> None:
        chat = actor.chat_id or 0
        outcome, record = await self._desk.approve(number, actor)
        answer = {
            Approval.STARTED: f"Approved. Broadcast #{number} is being sent.",
            Approval.RECORDED: f"Approved. Broadcast #{number} needs more approvals.",
            Approval.ALREADY: f"You have already agreed to broadcast #{number}; "
            "another admin must approve it.",
            Approval.NOT_WAITING: f"Broadcast #{number} is not waiting for approval.",
        }[outcome]
        await self._say(chat, answer)
        if (
            outcome is Approval.STARTED
            and record is not None
            and record.creator_chat_id not in (None, chat)
        ):
            await self._say(
                record.creator_chat_id or 0, f"Broadcast #{number} was approved and is being sent."
            )

    # -- buttons and typing in a draft ------------------------------------------------

    async def _press(self, actor: Actor, update: Incoming) -> None:
        chat = actor.chat_id or 0
        decoded = self._codec.decode(chat, update.callback_data or "")
        await self._answer(update.callback_id)
        if decoded is None:
            await self._say(chat, "That button is not valid any more.")
            return
        number, operation = decoded
        if operation == "approve":
            await self._approve(actor, number)
            return
        if operation == "cancel":
            stopped = await self._desk.cancel(number, actor)
            await self._say(
                chat,
                f"Broadcast #{number} cancelled."
                if stopped
                else f"Broadcast #{number} can no longer be cancelled.",
            )
            return
        record = await self._desk.repository.get(number)
        if record is None or record.status != "draft" or record.creator_chat_id != chat:
            await self._say(chat, "That draft is no longer open. /broadcast starts a new one.")
            return
        await self._draft_press(actor, record, operation, update.pressed_message_id)

    async def _draft_press(
        self, actor: Actor, record: BroadcastRecord, operation: str, pressed: int | None
    ) -> None:
        chat = actor.chat_id or 0
        wizard = self._wizard(chat)
        step, content = record.draft_step or "", dict(record.content)
        name, _, value = operation.partition(":")
        changes: dict[str, object] = {}
        if name == "tpl" and step == "choose" and value in self._templates():
            changes["content"] = {**content, "template": value, "fields": {}}
        elif name == "free" and step == "choose":
            changes["content"] = {**content, "template": None}
        elif name == "tl" and step == "more" and value in SELF_NAMES:
            changes["draft_step"] = f"text:{value}"
        elif name == "nomore" and step == "more":
            pass
        elif name == "area" and step == "areas":
            area = wizard.area_by_key(value)
            chosen = (
                [a for a in record.areas if a != area]
                if area in record.areas
                else [*record.areas, area]
            )
            updated = await self._desk.repository.update(
                record.id, only_if=["draft"], areas=[a for a in chosen if a]
            )
            await self._redraw(chat, pressed, updated, wizard.areas_keyboard)
            return
        elif name == "areas_done" and step == "areas":
            if not record.areas:
                await self._say(chat, "Please choose at least one area.")
                return
        elif name in ("rl", "rl_all") and step == "languages":
            current = set(record.languages or [])
            languages = None if name == "rl_all" else sorted(current ^ {value}) or None
            updated = await self._desk.repository.update(
                record.id, only_if=["draft"], languages=languages
            )
            await self._redraw(chat, pressed, updated, wizard.languages_keyboard)
            return
        elif name == "langs_done" and step == "languages":
            pass
        elif name == "exp" and step == "expiry" and value.isdecimal():
            changes["expires_at"] = wizard.expiry_for(int(value), self._desk.now())
        elif name == "nonote" and step == "note":
            pass
        elif name == "goto_areas" and step == "confirm":
            changes["draft_step"] = "areas"
        elif name == "send" and step == "confirm":
            await self._send(actor, record)
            return
        else:
            await self._say(chat, "That button belongs to an earlier step.")
            await wizard.show(chat, record)
            return
        await self._advance(chat, record, step, changes)

    async def _typed(self, actor: Actor, text: str) -> None:
        chat = actor.chat_id or 0
        record = await self._desk.repository.draft_of(chat)
        if record is None:
            return
        wizard = self._wizard(chat)
        try:
            changes = wizard.read_typed(record, text, self._desk.now())
        except InputError as problem:
            await self._say(chat, str(problem))
            return
        await self._advance(chat, record, record.draft_step or "", dict(changes))

    async def _advance(
        self, chat: int, record: BroadcastRecord, step: str, changes: dict[str, object]
    ) -> None:
        wizard = self._wizard(chat)
        updated: BroadcastRecord | None = record
        if changes:
            updated = await self._desk.repository.update(record.id, only_if=["draft"], **changes)
        if updated is None:
            return
        if "draft_step" not in changes:
            updated = (
                await self._desk.repository.update(
                    record.id, only_if=["draft"], draft_step=wizard.step_after(updated, step)
                )
                or updated
            )
        await wizard.show(chat, updated)

    async def _send(self, actor: Actor, record: BroadcastRecord) -> None:
        chat = actor.chat_id or 0
        submitted = await self._desk.submit(record.id, actor)
        if submitted is None:
            await self._say(chat, "That draft is no longer open.")
            return
        if submitted.recipients is not None:
            return  # sending: the progress message is on its way
        approvers = await self._desk.approvers(besides=actor.key)
        reached = 0
        preview = self._desk.preview(submitted.record, "en")
        ask = (
            f"Broadcast #{record.id} needs your approval before it is sent "
            f"(asked by {actor.key}).\n\n{preview}"
        )
        for user in approvers:
            keyboard = await self._approval_keyboard(user, record.id)
            try:
                await self._wizard(chat).say(user, ask, keyboard)
                reached += 1
            except TelegramError as error:
                log.info("an approver could not be asked: %s", type(error).__name__)
        missing = len(approvers) - reached
        note = (
            f" {missing} could not be reached: they must open a chat with the bot first."
            if missing
            else ""
        )
        if reached < submitted.needed - submitted.approvals:
            # Otherwise it would wait for approvals nobody was asked for.
            note += (
                " Not enough people could be asked: add an approver with `standby admins add "
                f"<Telegram user id> --role approver`, or approve it on the server with "
                f"`standby broadcast approve {record.id}`; /broadcast_cancel {record.id} stops it."
            )
        more = submitted.needed - submitted.approvals
        await self._say(
            chat,
            f"Waiting for {more} more admin(s) to approve broadcast #{record.id}. "
            f"I asked {reached}.{note}",
        )

    async def _approval_keyboard(self, user: int, broadcast_id: int) -> Keyboard:
        buttons = [("Approve", self._codec.encode(user, broadcast_id, "approve"))]
        approver = await self._desk.telegram_actor(user)
        if approver is not None and approver.can_send:  # approvers alone may not cancel
            buttons.append(("Cancel it", self._codec.encode(user, broadcast_id, "cancel")))
        return (tuple(buttons),)

    async def _redraw(
        self,
        chat: int,
        pressed: int | None,
        record: BroadcastRecord | None,
        keyboard: Callable[[BroadcastRecord], Keyboard],
    ) -> None:
        if record is None:
            return
        if pressed is None:
            await self._wizard(chat).show(chat, record)
            return
        prompt = self._wizard(chat).prompt(record)
        try:
            await self._api.edit_message(chat, pressed, prompt.text, keyboard(record))
        except TelegramError:
            await self._wizard(chat).show(chat, record)

    async def _answer(self, callback_id: str | None) -> None:
        if callback_id is None:
            return
        try:
            await self._api.answer_callback(callback_id)
        except TelegramError as error:
            log.info("admin callback not answered: %s", type(error).__name__)

    async def _say(self, chat: int, text: str, keyboard: Keyboard | None = None) -> None:
        await self._wizard(chat).say(chat, text, keyboard)


def _number(args: list[str]) -> int | None:
    text = args[0].lstrip("#") if args else ""
    return int(text) if text.isdecimal() else None


def _require_sender(actor: Actor) -> None:
    if not actor.can_send:
        raise NotAllowedError("you are not allowed to send broadcasts")
