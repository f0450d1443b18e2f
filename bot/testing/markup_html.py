"""parse_mode=HTML as Telegram reads it: a few tags, four named entities, strict nesting.

Error texts follow Telegram's ("Unsupported start tag "p" at byte offset 3"), so a bot
that forgets to escape "<" or leaves a tag open fails here exactly as it would live.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.testing.errors import cant_parse_entities
from bot.testing.text import FormattedText, TextBuilder, utf8_offset

_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass
class _Open:
    name: str
    start: int
    byte_offset: int
    attributes: dict[str, str] = field(default_factory=dict)
    language: str | None = None


def parse_html(source: str) -> FormattedText:
    """Visible text and entities of an HTML-formatted message; 400 when Telegram would fail."""
    return _HtmlParser(source).parse()


def decode_entity(source: str, index: int) -> tuple[str, int]:
    """The character an `&…;` reference at `index` stands for, and how much it used.

    Like Telegram, an ampersand that starts no known reference is kept as it is.
    """
    end = source.find(";", index + 1, index + 12)
    if end == -1:
        return "&", 1
    name = source[index + 1 : end]
    if name in _NAMED:
        return _NAMED[name], end - index + 1
    try:
        if name[:2] in ("#x", "#X"):
            return chr(int(name[2:], 16)), end - index + 1
        if name[:1] == "#":
            return chr(int(name[1:])), end - index + 1
    except (ValueError, OverflowError):
        pass
    return "&", 1


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.index = 0
        self.out = TextBuilder()
        self.stack: list[_Open] = []

    def parse(self) -> FormattedText:
        source = self.source
        while self.index < len(source):
            char = source[self.index]
            if char == "&":
                text, used = decode_entity(source, self.index)
                self.out.append(text)
                self.index += used
            elif char != "<":
                self.out.append(char)
                self.index += 1
            elif source.startswith("</", self.index):
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            name = self.stack[-1].name
            raise cant_parse_entities(f'Can\'t find end tag corresponding to start tag "{name}"')
        return self.out.build()

    def _offset(self) -> int:
        return utf8_offset(self.source, self.index)

    def _end_tag(self) -> None:
        offset = self._offset()
        end = self.source.find(">", self.index)
        if end == -1:
            raise cant_parse_entities(f"Unclosed end tag at byte offset {offset}")
        name = self.source[self.index + 2 : end].strip().lower()
        if not self.stack:
            raise cant_parse_entities(f"Unexpected end tag at byte offset {offset}")
        opened = self.stack.pop()
        if name != opened.name:
            raise cant_parse_entities(
                f'Unmatched end tag at byte offset {offset}, expected "</{opened.name}>", '
                f'found "</{name}>"'
            )
        self._close(opened)
        self.index = end + 1

    def _start_tag(self) -> None:
        offset = self._offset()
        cursor = self.index + 1
        while cursor < len(self.source) and self.source[cursor].lower() in _NAME_CHARS:
            cursor += 1
        name = self.source[self.index + 1 : cursor].lower()
        if name not in _ENTITY_TYPES:
            raise cant_parse_entities(f'Unsupported start tag "{name}" at byte offset {offset}')
        attributes, self.index = self._attributes(cursor, offset)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise cant_parse_entities(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        self.stack.append(_Open(name, self.out.position, offset, attributes))

    def _attributes(self, cursor: int, offset: int) -> tuple[dict[str, str], int]:
        source = self.source
        attributes: dict[str, str] = {}
        while True:
            while cursor < len(source) and source[cursor].isspace():
                cursor += 1
            if cursor >= len(source):
                raise cant_parse_entities(f"Unclosed start tag at byte offset {offset}")
            if source[cursor] == ">":
                return attributes, cursor + 1
            start = cursor
            while cursor < len(source) and source[cursor] not in "=> \t\n":
                cursor += 1
            name = source[start:cursor].lower()
            if not name:
                raise cant_parse_entities(f"Empty attribute name at byte offset {offset}")
            if source.startswith("=", cursor):
                attributes[name], cursor = self._attribute_value(cursor + 1, offset)
            else:
                # A bare attribute, as in <blockquote expandable>.
                attributes[name] = ""

    def _attribute_value(self, cursor: int, offset: int) -> tuple[str, int]:
        source = self.source
        quote = source[cursor : cursor + 1]
        if quote in ("'", '"'):
            end = source.find(quote, cursor + 1)
            if end == -1:
                raise cant_parse_entities(f"Unclosed start tag at byte offset {offset}")
            raw, after = source[cursor + 1 : end], end + 1
        else:
            end = cursor
            while end < len(source) and source[end] not in "> \t\n":
                end += 1
            raw, after = source[cursor:end], end
        value: list[str] = []
        position = 0
        while position < len(raw):
            if raw[position] == "&":
                text, used = decode_entity(raw, position)
                value.append(text)
                position += used
            else:
                value.append(raw[position])
                position += 1
        return "".join(value), after

    def _close(self, opened: _Open) -> None:
        kind = _ENTITY_TYPES[opened.name]
        attributes = opened.attributes
        language = attributes.get("class", "").removeprefix("language-")
        parent = self.stack[-1] if self.stack else None
        if kind == "code" and parent is not None and parent.name == "pre" and language:
            # <pre><code class="language-x"> is one pre entity with a language.
            parent.language = language
        elif kind == "text_link":
            self.out.entity(kind, opened.start, url=attributes.get("href", ""))
        elif kind == "custom_emoji":
            self.out.entity(kind, opened.start, custom_emoji_id=attributes.get("emoji-id", ""))
        elif kind == "pre" and opened.language:
            self.out.entity(kind, opened.start, language=opened.language)
        elif kind == "blockquote" and "expandable" in attributes:
            self.out.entity("expandable_blockquote", opened.start)
        else:
            self.out.entity(kind, opened.start)
