"""Placeholders in texts, and values made from button labels.

Texts are English source strings that get translated before `{name}` placeholders are
filled, so a placeholder must be a plain name a translator can move around: no format
specs, conversions or positional `{}` (they would also break the engine's filling).
"""

from __future__ import annotations

import re

from bot.flowdef.limits import MAX_NAME, VALUE_RE

NAME_RE = re.compile(r"[a-z_][a-z0-9_]*")
_BRACES = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def placeholder_problems(text: str, field: str) -> list[str]:
    """What is wrong with the braces in `text` (the value of key `field`), if anything."""
    problems: list[str] = []
    for match in _BRACES.finditer(text):
        token, inner = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            continue
        if inner is None:
            double = token * 2
            problems.append(
                f"unbalanced '{token}' in '{field}': write '{double}' to show '{token}' itself"
            )
        elif not NAME_RE.fullmatch(inner):
            problems.append(
                f"placeholder '{token}' in '{field}' must be a plain name like {{area}}"
            )
    return problems


def placeholders(text: str) -> set[str]:
    """The names of the `{name}` placeholders in `text` (assumed well-formed)."""
    return {match.group(1) for match in _BRACES.finditer(text) if match.group(1) is not None}


def slug(label: str) -> str:
    """A button's default saved value: 'I saw it happen' -> 'i_saw_it_happen'.

    Empty when the label has no a-z or 0-9 (labels in other scripts need a `value:`).
    """
    text = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return text[:MAX_NAME].rstrip("_")


def is_value(text: str) -> bool:
    """Whether `text` is a valid saved value for a button."""
    return VALUE_RE.fullmatch(text) is not None
