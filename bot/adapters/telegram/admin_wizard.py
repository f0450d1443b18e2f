"""Writing a broadcast in Telegram, one question at a time: template or own words, the
blanks, areas, languages, expiry, then a preview in every language and Send.

Where the admin is (`draft_step`) and what they chose so far are kept in the draft's row,
so a restart or a second bot process carries on where they were. Staff-facing: English.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from bot.adapters.telegram.api import BotApi, Keyboard
from bot.adapters.telegram.retry import patiently
from bot.adapters.telegram.text import escape, split_text
from bot.flowdef.alerts import AlertTemplates
from bot.flowdef.areas import AreaDirectory
from bot.i18n.languages import SELF_NAMES, SOURCE_LANGUAGE
from bot.services.broadcasts.compose import MAX_ALERT_TEXT, ContentError
from bot.services.broadcasts.desk import BroadcastDesk
from bot.services.broadcasts.typed import (
    LONDON,
    InputError,
    hours_from,
    read_date,
    read_moment,
    read_time,
    shown_moment,
)
from bot.storage.broadcasts import BroadcastRecord

CHECK = "✓ "
PREVIEW_RULE = "―――――"
EXPIRY_HOURS = (3, 12, 24, 72)
Sign = Callable[[int, str], str]  # (broadcast id, operation) -> callback data


def area_key(area_id: str) -> str:
    """A short stable key for an area id, so a button's data fits 64 bytes."""
    return hashlib.sha256(area_id.encode()).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class Prompt:
    text: str
    keyboard: Keyboard | None = None


class BroadcastWizard:
    def __init__(
        self,
        api: BotApi,
        desk: BroadcastDesk,
        templates: Callable[[], AlertTemplates],
        areas: Callable[[], AreaDirectory],
        sign: Sign,
    ) -> None:
        self._api = api
        self._desk = desk
        self._templates = templates
        self._areas = areas
        self._sign = sign

    # -- moving through the steps ---------------------------------------------------

    def first_step(self, kind: str) -> str:
        return {"alert": "choose", "correction": "text:en", "retraction": "note"}[kind]

    def step_after(self, record: BroadcastRecord, step: str) -> str:
        """The step that follows `step`, given what the draft holds now."""
        if record.kind == "retraction":
            return "confirm"
        if step == "choose" or step.startswith("field:"):
            if record.content.get("template"):
                missing = self._missing_field(record)
                return "areas" if missing is None else f"field:{missing}"
            return "text:en"
        if step.startswith("text:"):
            return "more"
        if step == "more":
            return "confirm" if record.kind == "correction" else "areas"
        return {"areas": "languages", "languages": "expiry"}.get(step, "confirm")

    def _missing_field(self, record: BroadcastRecord) -> str | None:
        template_id = record.content.get("template")
        template = self._templates().get(template_id) if template_id else None
        if template is None:
            return None
        given = record.content.get("fields", {})
        return next((f.name for f in template.fields if f.name not in given), None)

    async def show(self, chat_id: int, record: BroadcastRecord) -> None:
        """Ask the question of the draft's step (or show the previews, at `confirm`)."""
        if record.draft_step == "confirm":
            await self._confirm(chat_id, record)
            return
        prompt = self.prompt(record)
        await self.say(chat_id, prompt.text, prompt.keyboard)

    def prompt(self, record: BroadcastRecord) -> Prompt:
        step = record.draft_step or ""
        cancel = ("Cancel", self._sign(record.id, "cancel"))
        if step == "choose":
            rows = [((t.title, self._sign(record.id, f"tpl:{t.id}")),) for t in self._templates()]
            rows += [(("Write my own text", self._sign(record.id, "free")),), (cancel,)]
            return Prompt(
                "What do you want to send? Pick an alert to fill in, or write your own.",
                tuple(rows),
            )
        if step.startswith("field:"):
            field = self._field(record, step.removeprefix("field:"))
            return Prompt(field, ((cancel,),))
        if step.startswith("text:"):
            language = step.removeprefix("text:")
            what = "the correction" if record.kind == "correction" else "the alert"
            return Prompt(
                f"Type {what} in {language_name(language)}. Keep it short and calm; "
                f"at most {MAX_ALERT_TEXT} characters.",
                ((cancel,),),
            )
        if step == "more":
            return Prompt(
                "Add the same text written in another language? People whose language has "
                "no text get the English one, with a line saying so.",
                self._more_languages(record, cancel),
            )
        if step == "areas":
            return Prompt(
                "Which areas is it for? People subscribed to an area inside one of these, or "
                "to the region or nation around it, get it too. Press Done when ready.",
                self.areas_keyboard(record),
            )
        if step == "languages":
            return Prompt(
                "Which languages? Each person gets it in their own.",
                self.languages_keyboard(record),
            )
        if step == "expiry":
            expiry = (
                tuple((_hours(h), self._sign(record.id, f"exp:{h}")) for h in EXPIRY_HOURS),
                (("No expiry", self._sign(record.id, "exp:0")), cancel),
            )
            return Prompt(
                "When is it no longer worth sending? Nothing is delivered after that. "
                "Press a button, or type a day and time like 14/12/2026 18:00.",
                expiry,
            )
        if step == "note":
            return Prompt(
                f"Retracting alert #{record.correction_of}: everyone who got it will be told "
                "to ignore it. Type a short note in English to add, or press No note.",
                ((("No note", self._sign(record.id, "nonote")), cancel),),
            )
        return Prompt("This draft cannot go on. Send /broadcast to start again.")

    def _field(self, record: BroadcastRecord, name: str) -> str:
        template = self._templates().get(record.content.get("template") or "")
        field = (
            None if template is None else next((f for f in template.fields if f.name == name), None)
        )
        return field.ask if field is not None else f"Type the {name}."

    def _more_languages(self, record: BroadcastRecord, cancel: tuple[str, str]) -> Keyboard:
        given = set(record.content.get("texts", {}))
        buttons = [
            (f"{name} ({code})", self._sign(record.id, f"tl:{code}"))
            for code, name in SELF_NAMES.items()
            if code not in given
        ]
        rows = [tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4)]
        return (*rows, (("No, go on", self._sign(record.id, "nomore")), cancel))

    def areas_keyboard(self, record: BroadcastRecord) -> Keyboard:
        chosen = set(record.areas)
        buttons = [
            (
                (CHECK if area.id in chosen else "") + area.name,
                self._sign(record.id, f"area:{area_key(area.id)}"),
            )
            for area in self._areas()
        ]
        rows = [tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3)]
        done = ("Done", self._sign(record.id, "areas_done"))
        return (*rows, (done, ("Cancel", self._sign(record.id, "cancel"))))

    def languages_keyboard(self, record: BroadcastRecord) -> Keyboard:
        chosen = record.languages
        every = (CHECK if chosen is None else "") + "All languages"
        buttons = [
            (
                (CHECK if chosen and code in chosen else "") + name,
                self._sign(record.id, f"rl:{code}"),
            )
            for code, name in SELF_NAMES.items()
        ]
        rows = [tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4)]
        return (
            ((every, self._sign(record.id, "rl_all")),),
            *rows,
            (
                ("Done", self._sign(record.id, "langs_done")),
                ("Cancel", self._sign(record.id, "cancel")),
            ),
        )

    def area_by_key(self, key: str) -> str | None:
        return next((a.id for a in self._areas() if area_key(a.id) == key), None)

    # -- typed answers ----------------------------------------------------------------

    def read_typed(self, record: BroadcastRecord, text: str, now: datetime) -> dict[str, Any]:
        """The draft's changes for what the admin typed at its step; InputError if it
        does not fit."""
        step = record.draft_step or ""
        content = dict(record.content)
        if step.startswith("field:"):
            name = step.removeprefix("field:")
            content["fields"] = {
                **content.get("fields", {}),
                name: self._field_value(record, name, text, now),
            }
            return {"content": content}
        if step.startswith("text:"):
            if len(text) > MAX_ALERT_TEXT:
                raise InputError(
                    f"That is {len(text)} characters; please keep it under {MAX_ALERT_TEXT}."
                )
            content["texts"] = {
                **content.get("texts", {}),
                step.removeprefix("text:"): text.strip(),
            }
            return {"content": content}
        if step == "note":
            if len(text) > 500:
                raise InputError("Please keep the note under 500 characters.")
            content["note"] = text.strip()
            return {"content": content}
        if step == "expiry":
            return {"expires_at": read_moment(text, now)}
        raise InputError("Please use the buttons above.")

    def _field_value(self, record: BroadcastRecord, name: str, text: str, now: datetime) -> str:
        template = self._templates().get(record.content.get("template") or "")
        kind = (
            next((f.kind for f in template.fields if f.name == name), "text")
            if template
            else "text"
        )
        if kind == "date":
            today = now.astimezone(LONDON).date()
            return read_date(text, today, not_before=today).isoformat()
        if kind == "time":
            return read_time(text).strftime("%H:%M")
        if not text.strip() or len(text) > 200:
            raise InputError("Please type it in a few words (at most 200 characters).")
        return text.strip()

    def expiry_for(self, hours: int, now: datetime) -> datetime | None:
        return None if hours == 0 else hours_from(now, hours)

    # -- confirming ---------------------------------------------------------------------

    async def _confirm(self, chat_id: int, record: BroadcastRecord) -> None:
        if record.kind == "alert":
            recipients = await self._desk.recipients(record.areas, record.languages)
        else:
            recipients = await self._desk.correction_recipients(record.correction_of or 0)
        languages = sorted(recipients.by_language, key=lambda code: -recipients.by_language[code])
        previews = []
        try:
            for language in languages or [SOURCE_LANGUAGE]:
                count = recipients.by_language.get(language)
                who = "" if count is None else f" · {count:,} " + _people(count)
                preview = self._desk.preview(record, language)
                previews.append(f"Preview in {language_name(language)}{who}:\n\n{preview}")
        except ContentError as error:
            await self.say(
                chat_id,
                f"This alert cannot be written out: {error}. Send /broadcast to start again.",
            )
            return
        # As few messages as fit: Telegram allows a chat about one message a second.
        await self.say(chat_id, f"\n\n{PREVIEW_RULE}\n\n".join(previews))
        cancel = ("Cancel", self._sign(record.id, "cancel"))
        if recipients.total == 0:
            change = ("Change areas", self._sign(record.id, "goto_areas"))
            await self.say(
                chat_id,
                "Nobody would get this: no one reachable is subscribed there in those languages.",
                ((change, cancel),),
            )
            return
        await self.say(
            chat_id,
            self._summary(record, recipients.total, len(languages)),
            self._confirm_keyboard(record, cancel),
        )

    def _summary(self, record: BroadcastRecord, total: int, languages: int) -> str:
        what = {"alert": "alert", "correction": "correction", "retraction": "retraction"}[
            record.kind
        ]
        lines = [f"Send this {what} (#{record.id}) to {total:,} people in {languages} language(s)?"]
        if record.kind == "alert":
            names = self._desk.composer.area_names(record.areas, SOURCE_LANGUAGE)
            lines.append(f"Areas: {names}.")
            expiry = (
                "no expiry"
                if record.expires_at is None
                else f"until {shown_moment(record.expires_at)} (London)"
            )
            lines.append(f"Delivered {expiry}.")
        else:
            lines.append(
                f"It goes to everyone who received alert #{record.correction_of}, as a reply to it."
            )
        needed = self._desk.approvals_needed
        if needed > 1:
            lines.append(f"{needed - 1} other admin(s) must approve it before it is sent.")
        return "\n".join(lines)

    def _confirm_keyboard(self, record: BroadcastRecord, cancel: tuple[str, str]) -> Keyboard:
        send = ("Send", self._sign(record.id, "send"))
        if record.kind != "alert":
            return ((send, cancel),)
        return ((send,), (("Change areas", self._sign(record.id, "goto_areas")), cancel))

    async def say(self, chat_id: int, text: str, keyboard: Keyboard | None = None) -> None:
        parts = split_text(text)
        for index, part in enumerate(parts):
            markup = keyboard if index == len(parts) - 1 else None
            await patiently(partial(self._api.send_message, chat_id, escape(part), markup))


def language_name(code: str) -> str:
    name = SELF_NAMES.get(code, code)
    return name if code == SOURCE_LANGUAGE else f"{name} ({code})"


def _people(count: int) -> str:
    return "person" if count == 1 else "people"


def _hours(hours: int) -> str:
    return f"{hours // 24} days" if hours >= 48 else f"{hours} hours"
