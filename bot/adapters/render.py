"""Engine events -> messages with button rows, translated and filled in.

Translation happens here, after the engine: the engine's texts are English source keys,
so a whole sentence is translated first and the variables are put into it afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.engine import Button, ButtonRole, Event, Label, MessageCreated, Value
from bot.engine.texts import N_

SELECTED_MARK = "✓ "
NOT_GIVEN = N_("not given")
A_PHOTO = N_("a photo")
A_FILE = N_("a file")
# Choices whose labels are all this short sit two to a row.
SHORT_LABEL = 14
# Dates are saved as ISO text (2026-11-28); people read them as 28 November 2026.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Translator(Protocol):
    def gettext(self, message: str) -> str: ...


class SourceText:
    """Shows the English source texts as they are (no catalog)."""

    def gettext(self, message: str) -> str:
        return message


@dataclass(frozen=True, slots=True)
class OutButton:
    text: str
    button: Button


@dataclass(frozen=True, slots=True)
class OutMessage:
    text: str
    rows: tuple[tuple[OutButton, ...], ...] = ()
    updates_question: bool = False
    question: str | None = None

    @property
    def buttons(self) -> list[OutButton]:
        return [button for row in self.rows for button in row]


def render(events: Iterable[Event], translator: Translator) -> list[OutMessage]:
    """The messages among `events`, ready to show."""
    return [
        render_message(event, translator) for event in events if isinstance(event, MessageCreated)
    ]


def render_message(message: MessageCreated, translator: Translator) -> OutMessage:
    text = fill(translator.gettext(message.text), message, translator)
    rows = _rows(message.buttons, translator)
    return OutMessage(text, rows, message.updates_question, message.step)


def fill(template: str, message: MessageCreated, translator: Translator) -> str:
    values = {name: show_value(value, translator) for name, value in message.vars.items()}
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError):
        # A translation with a broken placeholder: the English source is safer than nothing.
        return message.text.format_map(values)


def show_value(value: Value | Label, translator: Translator) -> str:
    if isinstance(value, Label):
        return ", ".join(translator.gettext(text) for text in value.texts)
    if value is None:
        return translator.gettext(NOT_GIVEN)
    if isinstance(value, list):
        return ", ".join(show_value(item, translator) for item in value)
    if isinstance(value, dict):
        return translator.gettext(A_PHOTO if value.get("kind") == "photo" else A_FILE)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return _show_date(value)
    return str(value)


def _show_date(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def _rows(buttons: Sequence[Button], translator: Translator) -> tuple[tuple[OutButton, ...], ...]:
    def out(button: Button) -> OutButton:
        mark = SELECTED_MARK if button.selected else ""
        return OutButton(mark + translator.gettext(button.label), button)

    choices = [out(b) for b in buttons if b.role is ButtonRole.CHOICE]
    system = tuple(out(b) for b in buttons if b.role is not ButtonRole.CHOICE)
    width = 2 if choices and all(len(b.text) <= SHORT_LABEL for b in choices) else 1
    rows = [tuple(choices[i : i + width]) for i in range(0, len(choices), width)]
    return tuple(rows + ([system] if system else []))
