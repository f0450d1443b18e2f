"""Engine events -> messages with button rows, translated and filled in.

Translation happens here, after the engine: the engine's texts are English source keys,
so a whole sentence is translated first and the variables are put into it afterwards. In
right-to-left languages, numbers, postcodes, times and links are then isolated so they
read the right way round, in the values too (HTML escaping comes later, in the sender).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from babel.core import UnknownLocaleError
from babel.dates import format_date

from bot.engine import Button, ButtonRole, Event, Label, MessageCreated, Value
from bot.engine.texts import N_
from bot.i18n.bidi import for_right_to_left
from bot.i18n.languages import SELF_NAMES, SOURCE_LANGUAGE, is_right_to_left
from bot.i18n.negotiation import OFFER


def NP_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - a gettext-style marker
    """Mark a text with plural forms for extraction; `ngettext` picks the form when shown."""
    return singular, plural


SELECTED_MARK = "✓ "
NOT_GIVEN = N_("not given")
A_PHOTO = N_("a photo")
A_FILE = N_("a file")
# TRANSLATORS: how many photos someone sent. A form used only for one may drop {count}.
PHOTOS = NP_("{count} photo", "{count} photos")
# TRANSLATORS: how many files someone sent. A form used only for one may drop {count}.
FILES = NP_("{count} file", "{count} files")
# Choices whose labels are all this short sit two to a row.
SHORT_LABEL = 14
# Dates are saved as ISO text (2026-11-28); people read them as 28 November 2026.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_PATTERN = "d MMMM y"


class Translator(Protocol):
    """A language's catalog (`bot.i18n.translator_for` gives one)."""

    @property
    def language(self) -> str:
        """The language code: `en`, `ar`…"""
        ...

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


class SourceText:
    """Shows the English source texts as they are (no catalog)."""

    language = SOURCE_LANGUAGE

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


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
    return OutMessage(finish(text, translator), rows, message.updates_question, message.step)


def language_offer(translator: Translator) -> OutMessage:
    """One line, in the translator's language, offering to write in it."""
    name = SELF_NAMES.get(translator.language, translator.language)
    return render_message(MessageCreated(OFFER, {"language": name}), translator)


def finish(text: str, translator: Translator) -> str:
    """`text` laid out for the translator's language: right-to-left ones isolate numbers,
    postcodes, times and links (see `bot.i18n.bidi`)."""
    return for_right_to_left(text) if is_right_to_left(translator.language) else text


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
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return _count_files(value, translator)
    if isinstance(value, list):
        return ", ".join(show_value(item, translator) for item in value)
    if isinstance(value, dict):
        is_photo = value.get("kind") == "photo"
        return translator.gettext(A_PHOTO if is_photo else A_FILE)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return _show_date(value, translator.language)
    return str(value)


def plural(forms: tuple[str, str], count: int, translator: Translator) -> str:
    """The form of `forms` (from `NP_`) for `count`, with `{count}` filled in."""
    template = translator.ngettext(forms[0], forms[1], count)
    try:
        return template.format(count=count)
    except (KeyError, IndexError, ValueError):
        return (forms[0] if count == 1 else forms[1]).format(count=count)


def _count_files(files: list[Value], translator: Translator) -> str:
    """`2 photos, 1 file`: several attachments, counted by kind."""
    photos = sum(1 for item in files if isinstance(item, dict) and item.get("kind") == "photo")
    counts = ((PHOTOS, photos), (FILES, len(files) - photos))
    return ", ".join(plural(forms, count, translator) for forms, count in counts if count)


def _show_date(value: str, language: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    try:
        return format_date(day, DATE_PATTERN, locale=language)
    except (UnknownLocaleError, ValueError):
        return format_date(day, DATE_PATTERN, locale=SOURCE_LANGUAGE)


def _rows(buttons: Sequence[Button], translator: Translator) -> tuple[tuple[OutButton, ...], ...]:
    def out(button: Button) -> OutButton:
        mark = SELECTED_MARK if button.selected else ""
        return OutButton(mark + finish(translator.gettext(button.label), translator), button)

    ways_out = (ButtonRole.EMERGENCY, ButtonRole.EXIT)
    choices = [out(b) for b in buttons if b.role is ButtonRole.CHOICE]
    system = tuple(out(b) for b in buttons if b.role not in (ButtonRole.CHOICE, *ways_out))
    # Emergency and Leave now on a row of their own, at the bottom: easy to find.
    leave = tuple(out(b) for role in ways_out for b in buttons if b.role is role)
    width = 2 if choices and all(len(b.text) <= SHORT_LABEL for b in choices) else 1
    rows = [tuple(choices[i : i + width]) for i in range(0, len(choices), width)]
    return tuple(row for row in (*rows, system, leave) if row)
