"""Fitting text into Telegram messages: 4096 characters, HTML-escaped.

Telegram counts the limit in UTF-16 code units of the text as shown (after entities), so
text is split as plain text first, then each part is escaped for HTML parse mode.
"""

from __future__ import annotations

import html

from bot.i18n.bidi import LRI, PDI

LIMIT = 4096


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Parts of at most `limit` UTF-16 units, cut at paragraphs, then lines, then spaces."""
    text = text.strip() or "…"
    parts: list[str] = []
    while utf16_length(text) > limit:
        cut = _cut_point(text, limit)
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    parts.append(text)
    return parts


def _cut_point(text: str, limit: int) -> int:
    fitting = _longest_prefix(text, limit)
    window = text[:fitting]
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator)
        while at > fitting // 2 and _isolating(window, at):
            at = window.rfind(separator, 0, at)  # never inside "0800 138 1625" in RTL text
        if at > fitting // 2:
            return at + len(separator)
    return fitting


def _isolating(text: str, at: int) -> bool:
    """Whether `at` falls inside a left-to-right isolate (a number in right-to-left text)."""
    return text.count(LRI, 0, at) > text.count(PDI, 0, at)


def _longest_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units (never splitting a pair)."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def escape(text: str) -> str:
    """Text shown exactly as written under parse_mode=HTML."""
    return html.escape(text, quote=False)
