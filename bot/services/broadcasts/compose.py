"""An alert's words in each subscriber's language.

A template's text is translated as a whole sentence first (the Babel catalogs hold every
template), then the admin's values go in: dates and times written the way the language
writes them, place names as typed, area names translated. A free-text alert uses the text
the admin wrote for that language, or the English one with a note saying so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from babel.core import UnknownLocaleError
from babel.dates import format_date, format_time
from babel.lists import format_list

from bot.engine.texts import N_, placeholders
from bot.flowdef.alerts import AlertTemplate, AlertTemplates
from bot.flowdef.areas import AreaDirectory
from bot.i18n import SOURCE_LANGUAGE, Translations
from bot.i18n.bidi import for_right_to_left
from bot.i18n.languages import is_right_to_left

log = logging.getLogger(__name__)

HEADERS = {
    # TRANSLATORS: the first line of every alert Standby sends to its subscribers.
    "alert": N_("🔔 Standby alert"),
    # TRANSLATORS: the first line of a message correcting an alert sent earlier.
    "correction": N_("🔔 Correction to our earlier alert"),
    # TRANSLATORS: the first line of a message withdrawing an alert sent earlier.
    "retraction": N_("🔔 Please ignore our earlier alert"),
}
RETRACTED = N_("The alert we sent earlier was a mistake or no longer applies. Please ignore it.")
NOT_IN_YOUR_LANGUAGE = N_("This alert was not written in your language, so it is in English.")
FOOTER = N_(
    "You get alerts because you asked for them. /alerts changes them, /stop_alerts stops them."
)
# Admin-written texts are kept within this, leaving room for the header, note and footer
# inside Telegram's 4096 characters.
MAX_ALERT_TEXT = 3500
FIRST_STRONG_ISOLATE, POP_ISOLATE = "\u2068", "\u2069"


class ContentError(ValueError):
    """An alert's content cannot be shown (a template was removed, a value is malformed)."""


@dataclass(frozen=True, slots=True)
class AlertContent:
    """What an admin wrote: a template and its values, or texts by language ("en" always).

    Values are kept as typed and checked: dates as ISO (2026-12-14), times as HH:MM.
    """

    template: str | None = None
    fields: Mapping[str, str] | None = None
    texts: Mapping[str, str] | None = None
    note: str | None = None  # a retraction's optional explanation, in English

    def as_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "fields": dict(self.fields or {}),
            "texts": dict(self.texts or {}),
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AlertContent:
        return cls(
            template=data.get("template"),
            fields=dict(data.get("fields") or {}),
            texts=dict(data.get("texts") or {}),
            note=data.get("note"),
        )


class AlertComposer:
    """Writes alerts out per language from the current templates and areas."""

    def __init__(
        self,
        templates: Callable[[], AlertTemplates],
        areas: Callable[[], AreaDirectory],
        translators: Callable[[str | None], Translations],
    ) -> None:
        self._templates = templates
        self._areas = areas
        self._translators = translators

    def compose(
        self, kind: str, content: AlertContent, areas: Sequence[str], language: str | None
    ) -> str:
        """The whole message for a subscriber writing in `language` (None: English)."""
        translator = self._translators(language)
        code = translator.language
        parts = [translator.gettext(HEADERS[kind])]
        if kind == "retraction":
            parts.append(translator.gettext(RETRACTED))
            if content.note:
                parts.append(content.note)
        elif content.template:
            parts.append(self._from_template(content, areas, translator))
        else:
            texts = content.texts or {}
            own = texts.get(code)
            if own is None and code != SOURCE_LANGUAGE:
                parts += [texts.get(SOURCE_LANGUAGE, ""), translator.gettext(NOT_IN_YOUR_LANGUAGE)]
            else:
                parts.append(own or texts.get(SOURCE_LANGUAGE, ""))
        parts.append(translator.gettext(FOOTER))
        text = "\n\n".join(part.strip() for part in parts if part.strip())
        return for_right_to_left(text) if is_right_to_left(code) else text

    def template(self, template_id: str) -> AlertTemplate:
        found = self._templates().get(template_id)
        if found is None:
            raise ContentError(
                f"there is no alert template '{template_id}' in flows/data/alerts.yaml"
            )
        return found

    def area_names(self, areas: Sequence[str], language: str | None) -> str:
        """`areas` by name in `language`: "Rotherham and Sheffield"."""
        translator = self._translators(language)
        directory = self._areas()
        names = [
            translator.gettext(area.name) if (area := directory.get(id_)) else id_ for id_ in areas
        ]
        if not names:
            return ""
        try:
            return format_list(names, locale=_babel_locale(translator.language))
        except (UnknownLocaleError, ValueError):
            return ", ".join(names)

    def _from_template(
        self, content: AlertContent, areas: Sequence[str], translator: Translations
    ) -> str:
        template = self.template(content.template or "")
        code = translator.language
        values = {"area": self.area_names(areas, code)}
        given = content.fields or {}
        for field in template.fields:
            raw = given.get(field.name)
            if raw is None:
                raise ContentError(f"template '{template.id}' needs a value for {field.name}")
            values[field.name] = _isolated(format_value(field.kind, raw, code), code)
        translated = translator.gettext(template.text)
        try:
            if set(placeholders(translated)) == set(placeholders(template.text)):
                return translated.format(**values)
        except (KeyError, IndexError, ValueError):
            pass
        # A translation that lost, renamed or broke a placeholder would leave out the place
        # or the day: the English text is better (`standby i18n check` reports these).
        log.error("alert template %s: the %s translation does not fit", template.id, code)
        return template.text.format(**values)


def format_value(kind: str, raw: str, language: str) -> str:
    """A template value as `language` writes it: dates and times localised."""
    language = _babel_locale(language)
    try:
        if kind == "date":
            return format_date(date.fromisoformat(raw), format="full", locale=language)
        if kind == "time":
            return format_time(time.fromisoformat(raw), format="short", locale=language)
    except UnknownLocaleError:
        return raw
    except ValueError as error:
        raise ContentError(f"{raw!r} is not a {kind}") from error
    return raw


def _babel_locale(language: str) -> str:
    # Standby's English is British: "Monday 14 December 2026", "14:00".
    return "en_GB" if language == SOURCE_LANGUAGE else language


def _isolated(value: str, language: str) -> str:
    # A place name typed in Latin letters inside Arabic text keeps its own direction.
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_ISOLATE}" if is_right_to_left(language) else value
