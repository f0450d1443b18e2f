"""Babel extractors for the texts people see in YAML: flows, the helpline directory, the
alert areas and the alert templates.

Registered as `babel.extractors` entry points (`standby_flows`, `standby_helplines`,
`standby_areas`, `standby_alerts`), so `pybabel extract -F babel.cfg -o
locales/messages.pot .` collects them with the Python strings. Each text comes with its
line, and a comment naming where it is used (the flow and step id, the template and the
placeholders to keep), which translation tools show next to it.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from bot.flowdef.limits import MAX_LABEL
from bot.flowdef.problems import Found
from bot.flowdef.yamlload import YamlList, YamlMap, load_yaml

log = logging.getLogger(__name__)

# What Babel expects back: line, function name (None: a plain text), message, comments.
Extracted = tuple[int, str | None, str, list[str]]

# The keys of a step whose values are shown, and what a translator should know of each.
STEP_TEXTS = {
    "say": "a message",
    "ask": "a question",
    "retry": "said when an answer doesn't fit the question",
    "end": "the closing message",
}
HELPLINE_TEXTS = ("name", "description", "note")
AREA_COMMENT = "an area of the UK for alerts: a place name as people write it in your language"


def extract_flows(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Titles, step texts and button labels of one flow file."""
    document = _read(fileobj)
    if not isinstance(document, YamlMap):
        return
    flow = str(document.get("flow", "?"))
    if isinstance(title := _text(document.get("title")), str):
        yield document.line_of("title"), None, title, [f"flow {flow}: its title, in menus"]
    steps = document.get("steps")
    for step in steps if isinstance(steps, YamlList) else []:
        if isinstance(step, YamlMap):
            yield from _step_texts(flow, step)


def _step_texts(flow: str, step: YamlMap) -> Iterator[Extracted]:
    where = f"flow {flow}, step {step.get('id', '?')}"
    for key, what in STEP_TEXTS.items():
        if isinstance(text := _text(step.get(key)), str):
            yield step.line_of(key), None, text, [f"{where}: {what}"]
    choices = step.get("choices")
    for choice in choices if isinstance(choices, YamlList) else []:
        if isinstance(choice, YamlMap) and isinstance(label := _text(choice.get("label")), str):
            comment = f"{where}: a button (at most {MAX_LABEL} characters)"
            yield choice.line_of("label"), None, label, [comment]


def extract_helplines(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """`name`, `description` and `note` of every entry in a list of the helpline directory."""
    yield from _entry_texts(_read(fileobj))


def _entry_texts(node: Any) -> Iterator[Extracted]:
    if isinstance(node, YamlMap):
        for value in node.values():
            yield from _entry_texts(value)
    elif isinstance(node, YamlList):
        for item in node:
            if isinstance(item, YamlMap):
                name = item.get("name") or item.get("id") or "?"
                for key in HELPLINE_TEXTS:
                    if isinstance(text := _text(item.get(key)), str):
                        yield item.line_of(key), None, text, [f"helpline {name}: its {key}"]
            yield from _entry_texts(item)


def extract_areas(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """The `name` of every area in the alert areas file, at any depth."""
    yield from _area_names(_read(fileobj))


def _area_names(node: Any) -> Iterator[Extracted]:
    if not isinstance(node, YamlMap):
        return
    areas = node.get("areas")
    for area in areas if isinstance(areas, YamlList) else []:
        if isinstance(area, YamlMap):
            if isinstance(name := _text(area.get("name")), str):
                yield area.line_of("name"), None, name, [AREA_COMMENT]
            yield from _area_names(area)


def extract_alerts(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """The `text` of every alert template. Titles and field questions are for admins and
    stay in English."""
    document = _read(fileobj)
    templates = document.get("templates") if isinstance(document, YamlMap) else None
    for template in templates if isinstance(templates, YamlList) else []:
        if isinstance(template, YamlMap) and isinstance(text := _text(template.get("text")), str):
            comment = f"alert {template.get('id', '?')}: sent to the people subscribed to an area"
            if names := _placeholders(text):
                shown = ", ".join(f"{{{name}}}" for name in names)
                comment += f". Keep {shown} as they are: Standby fills them in"
            yield template.line_of("text"), None, text, [comment]


def _placeholders(text: str) -> list[str]:
    """The names in braces, in order, once each; none when the braces are broken (the
    checker reports those)."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return []
    names: list[str] = []
    for _, name, _, _ in parts:
        if name and name not in names:
            names.append(name)
    return names


def _read(fileobj: IO[bytes]) -> Any:
    name = str(getattr(fileobj, "name", "<yaml>"))
    found = Found(name)
    try:
        document = load_yaml(fileobj.read().decode("utf-8"), found)
    except UnicodeDecodeError:
        log.warning("%s: not UTF-8 text; nothing extracted", name)
        return None
    if document is None:
        log.warning("%s: not valid YAML; nothing extracted (standby flows check says why)", name)
    return document


def _text(value: Any) -> str | None:
    """A text as the flow checker reads it: numbers such as 999 are texts too."""
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None
