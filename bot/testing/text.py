"""Text as Telegram measures it: UTF-16 code units, trimmed, with entities attached."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.testing.errors import bad_request

Entity = dict[str, Any]

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: how Telegram counts characters and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def utf8_offset(text: str, index: int) -> int:
    """The byte offset of `text[index]`, which Telegram's parse errors quote."""
    return len(text[:index].encode("utf-8"))


@dataclass
class FormattedText:
    """Text the person sees, with the entities (bold, links…) that decorate it."""

    text: str
    entities: list[Entity] = field(default_factory=list)

    def trimmed(self) -> FormattedText:
        """Strip surrounding whitespace as Telegram does, moving entities along."""
        stripped = self.text.strip()
        lead = utf16_len(self.text[: len(self.text) - len(self.text.lstrip())])
        end = utf16_len(stripped)
        entities: list[Entity] = []
        for entity in self.entities:
            start = max(entity["offset"] - lead, 0)
            stop = min(entity["offset"] + entity["length"] - lead, end)
            if stop > start:
                entities.append({**entity, "offset": start, "length": stop - start})
        return FormattedText(stripped, entities)


def checked_text(formatted: FormattedText) -> FormattedText:
    """A message text, trimmed; 400 when empty or longer than 4096 UTF-16 units."""
    result = formatted.trimmed()
    if not result.text:
        raise bad_request("message text is empty")
    if utf16_len(result.text) > MESSAGE_LIMIT:
        raise bad_request("message is too long")
    return result


def checked_caption(formatted: FormattedText) -> FormattedText | None:
    """A media caption, trimmed; None when empty, 400 when over 1024 UTF-16 units."""
    result = formatted.trimmed()
    if not result.text:
        return None
    if utf16_len(result.text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return result


def command_entities(text: str) -> list[Entity]:
    """The `bot_command` entities Telegram adds to a person's message, e.g. for "/start"."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group()),
        }
        for match in _COMMAND.finditer(text)
    ]


class TextBuilder:
    """Collects parsed text and entities, keeping the UTF-16 position entities need."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.position = 0
        self.entities: list[Entity] = []

    def append(self, text: str) -> None:
        """Add visible text."""
        self._parts.append(text)
        self.position += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        """Record an entity from `start` to the current position; empty ones vanish."""
        if self.position > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.position - start, **extra}
            )

    def build(self) -> FormattedText:
        """The text and its entities, ordered as Telegram returns them (outer first)."""
        # Nested entities over the same span close inner first, hence the reversed index.
        order = sorted(
            enumerate(self.entities), key=lambda p: (p[1]["offset"], -p[1]["length"], -p[0])
        )
        return FormattedText("".join(self._parts), [entity for _, entity in order])
