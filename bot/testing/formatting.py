"""Turns text plus parse_mode (or explicit entities) into what the person sees."""

from __future__ import annotations

from typing import Any

from bot.testing.errors import bad_request
from bot.testing.markup_html import parse_html
from bot.testing.markup_markdown import parse_markdown, parse_markdown_v2
from bot.testing.text import Entity, FormattedText

_PARSERS = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}


def format_text(source: str, parse_mode: str | None, entities: Any = None) -> FormattedText:
    """Parse `source` as Telegram would; explicit `entities` win over `parse_mode`.

    Raises the 400 Telegram gives for an unknown parse mode or unreadable markup.
    """
    if entities is not None:
        return FormattedText(source, _checked_entities(entities))
    if not parse_mode:
        return FormattedText(source)
    parser = _PARSERS.get(parse_mode.lower())
    if parser is None:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return parser(source)


def _checked_entities(entities: Any) -> list[Entity]:
    if not isinstance(entities, list) or not all(
        isinstance(e, dict)
        and isinstance(e.get("type"), str)
        and isinstance(e.get("offset"), int)
        and isinstance(e.get("length"), int)
        for e in entities
    ):
        raise bad_request("can't parse entities JSON object")
    return [dict(e) for e in entities]
