"""parse_mode=MarkdownV2 and the legacy Markdown, as strict as Telegram about escaping.

MarkdownV2 is where bots most often break: every one of _*[]()~`>#+-=|{}.! outside an
entity must be escaped with a backslash, or Telegram refuses the whole message.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.testing.errors import cant_parse_entities
from bot.testing.text import FormattedText, TextBuilder, utf8_offset

RESERVED_V2 = frozenset("_*[]()~`>#+-=|{}.!")
_V2_MARKERS = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
    "`": "code",
    "```": "pre",
    "[": "text_link",
}
_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}
_LEGACY_ENTITIES = {"*": "bold", "_": "italic", "`": "code", "```": "pre"}


@dataclass
class _Open:
    marker: str
    start: int
    byte_offset: int
    language: str = ""


def parse_markdown_v2(source: str) -> FormattedText:
    """Visible text and entities of a MarkdownV2 message; 400 when Telegram would fail."""
    out = TextBuilder()
    stack: list[_Open] = []
    index = 0
    while index < len(source):
        char = source[index]
        top = stack[-1] if stack else None
        if char == "\\" and index + 1 < len(source) and 0 < ord(source[index + 1]) < 127:
            out.append(source[index + 1])
            index += 2
        elif top is not None and top.marker in ("`", "```"):
            if source.startswith(top.marker, index):
                stack.pop()
                _emit(out, top)
                index += len(top.marker)
            else:
                out.append(char)
                index += 1
        elif char == "]" and top is not None and top.marker == "[":
            index = _close_link(source, index, out, stack.pop())
        else:
            marker = _marker_at(source, index)
            if marker is None:
                if char in RESERVED_V2 and not _quote_marker(source, index):
                    raise cant_parse_entities(
                        f"Character '{char}' is reserved and must be escaped with the "
                        "preceding '\\'"
                    )
                if char != ">":
                    out.append(char)
                index += 1
                continue
            index = _toggle(source, index, marker, out, stack)
    if stack:
        opened = stack[-1]
        raise cant_parse_entities(
            f"Can't find end of {_NAMES[_V2_MARKERS[opened.marker]]} entity at byte offset "
            f"{opened.byte_offset}"
        )
    return out.build()


def _marker_at(source: str, index: int) -> str | None:
    for marker in ("```", "__", "||", "*", "_", "~", "`", "["):
        if source.startswith(marker, index):
            return marker
    return None


def _quote_marker(source: str, index: int) -> bool:
    # ">" opening a line is a block quotation, not a reserved character.
    return source[index] == ">" and (index == 0 or source[index - 1] == "\n")


def _toggle(source: str, index: int, marker: str, out: TextBuilder, stack: list[_Open]) -> int:
    if stack and stack[-1].marker == marker:
        _emit(out, stack.pop())
        return index + len(marker)
    if any(opened.marker == marker for opened in stack):
        opened = next(o for o in stack if o.marker == marker)
        raise cant_parse_entities(
            f"Can't find end of {_NAMES[_V2_MARKERS[marker]]} entity at byte offset "
            f"{opened.byte_offset}"
        )
    opened = _Open(marker, out.position, utf8_offset(source, index))
    index += len(marker)
    if marker == "```":
        newline = source.find("\n", index)
        first_line = source[index:newline] if newline != -1 else ""
        if first_line and not any(c.isspace() for c in first_line):
            opened.language = first_line
            index = newline + 1
    stack.append(opened)
    return index


def _close_link(source: str, index: int, out: TextBuilder, opened: _Open) -> int:
    if not source.startswith("(", index + 1):
        out.entity("text_link", opened.start, url="")
        return index + 1
    url: list[str] = []
    cursor = index + 2
    while cursor < len(source) and source[cursor] != ")":
        if source[cursor] == "\\" and cursor + 1 < len(source):
            cursor += 1
        url.append(source[cursor])
        cursor += 1
    if cursor >= len(source):
        raise cant_parse_entities(
            f"Can't find end of a URL at byte offset {utf8_offset(source, index + 1)}"
        )
    out.entity("text_link", opened.start, url="".join(url))
    return cursor + 1


def _emit(out: TextBuilder, opened: _Open) -> None:
    kind = _V2_MARKERS[opened.marker]
    if kind == "pre" and opened.language:
        out.entity(kind, opened.start, language=opened.language)
    else:
        out.entity(kind, opened.start)


def parse_markdown(source: str) -> FormattedText:
    """The legacy parse_mode=Markdown: *bold*, _italic_, `code`, ```pre```, [text](url)."""
    out = TextBuilder()
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\" and source[index + 1 : index + 2] in ("_", "*", "`", "["):
            out.append(source[index + 1])
            index += 2
            continue
        marker = "```" if source.startswith("```", index) else char
        if marker not in _LEGACY_ENTITIES and marker != "[":
            out.append(char)
            index += 1
            continue
        error = cant_parse_entities(
            f"Can't find end of the entity starting at byte offset {utf8_offset(source, index)}"
        )
        if marker == "[":
            close = source.find("](", index)
            end = source.find(")", close + 2) if close != -1 else -1
            if end == -1:
                raise error
            start = out.position
            out.append(source[index + 1 : close])
            out.entity("text_link", start, url=source[close + 2 : end])
            index = end + 1
            continue
        end = source.find(marker, index + len(marker))
        if end == -1:
            raise error
        start = out.position
        out.append(source[index + len(marker) : end])
        out.entity(_LEGACY_ENTITIES[marker], start)
        index = end + len(marker)
    return out.build()
