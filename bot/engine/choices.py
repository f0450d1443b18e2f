"""Buttons that come from a variable (`choices_from`), not from the flow's own text.

Some menus are data: the areas someone can subscribe to, the ones they are subscribed
to now. A service saves them into a variable as a list of `{"label": ..., "value": ...}`;
the question turns that list into ordinary `Choice`s when it is asked and when it is
answered, so everything after that (typed numbers, multiple picks, labels kept for later
texts) works exactly as for written choices.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.engine.errors import ContentError
from bot.engine.model import Ask, Choice
from bot.engine.session import Value

# At most this many buttons on one question, written or from a variable: a longer menu
# is unreadable on a phone. `bot.flowdef.limits` re-uses it for written choices.
MAX_CHOICES = 24
# What a button saves. It goes into Telegram's 64-byte callback data next to the step
# key and a signature, and can't clash with the engine's own "~back", "~done"…
# `bot.flowdef.limits` re-uses it for written values.
VALUE_RE = re.compile(r"[a-z0-9_]{1,48}")


def resolved(step: Ask, variables: dict[str, Value]) -> Ask:
    """`step` with the choices its `choices_from` variable holds, as if written in the flow.

    A step without `choices_from` comes back as it is. The result has `choices_from`
    cleared, so resolving it again changes nothing. A variable that is missing, not a
    list, empty, too long or holding a malformed item is a `ContentError`: a question
    with no (or wrong) buttons can't be answered, and cutting the list short would hide
    choices silently.
    """
    name = step.choices_from
    if name is None:
        return step
    if name not in variables:
        raise ContentError(f"variable '{name}' for the buttons of step '{step.id}' is not set")
    return replace(step, choices=choices_in(variables[name], name), choices_from=None)


def choices_in(value: Value, name: str) -> tuple[Choice, ...]:
    """The buttons held in variable `name`: a list of `{"label": str, "value": str}`."""
    if not isinstance(value, list):
        raise ContentError(f"variable '{name}' should hold a list of buttons, not {_kind(value)}")
    if not value:
        raise ContentError(f"variable '{name}' holds no buttons")
    if len(value) > MAX_CHOICES:
        raise ContentError(
            f"variable '{name}' holds {len(value)} buttons; the limit is {MAX_CHOICES}"
        )
    choices: list[Choice] = []
    seen: set[str] = set()
    for index, item in enumerate(value, start=1):
        choice = _choice(item, f"button {index} of variable '{name}'")
        if choice.value in seen:
            raise ContentError(f"value '{choice.value}' appears twice in variable '{name}'")
        seen.add(choice.value)
        choices.append(choice)
    return tuple(choices)


def _choice(item: object, where: str) -> Choice:
    if not isinstance(item, dict):
        raise ContentError(f"{where} should be a 'label' and a 'value', not {_kind(item)}")
    label, value = item.get("label"), item.get("value")
    if not isinstance(label, str) or not label.strip():
        raise ContentError(f"{where} has no 'label' text")
    if not isinstance(value, str) or not VALUE_RE.fullmatch(value):
        raise ContentError(f"{where} has no valid 'value' (a-z, 0-9 and _, at most 48 characters)")
    return Choice(label, value)


def _kind(value: object) -> str:
    """A short name for what a value is, for the reason of a failure (never the value:
    it may be something a person typed)."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "a set of keys"
