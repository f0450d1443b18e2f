"""The shape of a flow file (spec 1), as strict pydantic models.

The header and each step are separate models so one broken step never hides problems
in the others. Field names are the YAML keys. Validators raise `PydanticCustomError`
with volunteer-ready wording (see `bot.flowdef.messages`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from bot.engine.triggers import normalise_words
from bot.flowdef import limits
from bot.flowdef.texts import is_value


def field_error(detail: str) -> PydanticCustomError:
    """An error shown as `'<key>' <detail>`."""
    return PydanticCustomError("field", "{detail}", {"detail": detail})


def whole_error(message: str) -> PydanticCustomError:
    """An error shown exactly as `message`."""
    return PydanticCustomError("whole", "{message}", {"message": message})


def _as_text(value: Any) -> Any:
    # YAML reads `999` or `1` as numbers; where text is expected, take them as written.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _text_of(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        """Non-empty and at most `limit` characters."""
        if not value.strip():
            raise field_error("is empty")
        if len(value) > limit:
            raise field_error(f"is too long ({len(value)} characters; the limit is {limit})")
        return value

    return check


def _matching(pattern: re.Pattern[str], what: str, rule: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        """Matches `pattern`, or an error explaining `rule`."""
        if not pattern.fullmatch(value):
            raise whole_error(f"'{value}' is not a valid {what}: {rule}")
        return value

    return check


def _value(value: str) -> str:
    if not is_value(value):
        raise whole_error(f"'{value}' is not a valid value: {limits.VALUE_RULE}")
    return value


def _word(value: str) -> str:
    if not normalise_words(value):
        raise whole_error(f"trigger word '{value}' has no letters or digits")
    return value


_DURATION = re.compile(r"([0-9]{1,6})([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _duration(value: Any) -> Any:
    if not isinstance(value, str) or not (found := _DURATION.fullmatch(value.strip())):
        raise field_error("must look like 30m, 12h or 7d")
    length = timedelta(**{_UNITS[found[2]]: int(found[1])})
    if not limits.MIN_EXPIRY <= length <= limits.MAX_EXPIRY:
        raise field_error("must be between 1m and 30d")
    return length


def _end(value: Any) -> Any:
    # `end: true` (or a bare `end:`) ends without a closing message.
    if value is True or value is None:
        return None
    if isinstance(value, str):
        return value
    raise field_error("must be a closing text, or true")


def _end_text(value: str | None) -> str | None:
    return None if value is None else _text_of(limits.MAX_TEXT)(value)


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _input_length(value: int) -> int:
    if not 1 <= value <= limits.MAX_INPUT_LENGTH:
        raise field_error(f"must be between 1 and {limits.MAX_INPUT_LENGTH}")
    return value


INPUT_KINDS = ("text", "number", "date", "yes_no", "photo", "document")


def _input_kind(value: str) -> str:
    if value not in INPUT_KINDS:
        raise field_error(f"must be one of: {', '.join(INPUT_KINDS)}")
    return value


Text = Annotated[str, BeforeValidator(_as_text), AfterValidator(_text_of(limits.MAX_TEXT))]
Label = Annotated[str, BeforeValidator(_as_text), AfterValidator(_text_of(limits.MAX_LABEL))]
Id = Annotated[
    str, BeforeValidator(_as_text), AfterValidator(_matching(limits.ID_RE, "id", limits.ID_RULE))
]
Name = Annotated[
    str,
    BeforeValidator(_as_text),
    AfterValidator(_matching(limits.ID_RE, "name", limits.ID_RULE)),
]
Value = Annotated[str, BeforeValidator(_as_text), AfterValidator(_value)]
Command = Annotated[
    str,
    AfterValidator(
        _matching(limits.COMMAND_RE, "command", "write / and then a-z, 0-9 or _ (at most 32)")
    ),
]
Word = Annotated[
    str, BeforeValidator(_as_text), AfterValidator(_word), AfterValidator(_text_of(limits.MAX_TEXT))
]
CaseValue = Annotated[str, BeforeValidator(_as_text)]
Duration = Annotated[timedelta, BeforeValidator(_duration)]
EndText = Annotated[str | None, BeforeValidator(_end), AfterValidator(_end_text)]
InputName = Annotated[str, AfterValidator(_input_kind)]
InputLength = Annotated[int, AfterValidator(_input_length)]
SaveNames = Annotated[list[Name], BeforeValidator(_one_or_many)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TriggersDoc(_Doc):
    """`triggers:` of a flow."""

    commands: list[Command] = []
    words: list[Word] = []
    returns: bool = False


class FlowDoc(_Doc):
    """A flow file's top level; `steps` are validated one by one afterwards."""

    spec: int
    flow: Id
    title: Text | None = None
    home: bool = False
    quick_exit: bool = False
    emergency: bool = False
    quiet_start: bool = False
    expires_after: Duration = limits.DEFAULT_EXPIRY
    triggers: TriggersDoc | None = None
    needs: list[Name] = []
    start: Id | None = None
    steps: list[Any]


class ChoiceDoc(_Doc):
    """One button of an `ask`."""

    label: Label
    value: Value | None = None
    next: Id | None = None
    revisit: Id | None = None
    until: Id | None = None


class StepDoc(_Doc):
    """What every step has."""

    id: Id


class SayDoc(StepDoc):
    """`say:` send a message and carry on."""

    say: Text
    next: Id | None = None


class AskDoc(StepDoc):
    """`ask:` a question with buttons (`choices`, or `choices_from` a variable a service
    filled) or typed input (`input`)."""

    ask: Text
    choices: list[ChoiceDoc] | None = None
    choices_from: Name | None = None
    input: InputName | None = None
    multiple: bool = False
    optional: bool = False
    save: Name | None = None
    retry: Text | None = None
    next: Id | None = None
    max_length: InputLength | None = None
    min: float | None = None
    max: float | None = None
    allow_future: bool = False
    return_to: Id | None = None


class ActionDoc(StepDoc):
    """`action:` ask a named service to act; `with` is stored as `params`."""

    action: Id
    params: dict[Name, Text] = Field(default_factory=dict, alias="with")
    save: SaveNames = []
    next: Id | None = None
    on_error: Id | None = None


class CheckDoc(StepDoc):
    """`check:` branch on a variable's value."""

    check: Name
    cases: dict[CaseValue, Id]
    otherwise: Id | None = None


class CallDoc(StepDoc):
    """`call:` run another flow and come back."""

    call: Id
    next: Id | None = None


class GotoDoc(StepDoc):
    """`goto:` continue in another flow for good."""

    goto: Id


class EndDoc(StepDoc):
    """`end:` end the flow, with a closing text or `true`."""

    end: EndText


KINDS: dict[str, type[StepDoc]] = {
    "say": SayDoc,
    "ask": AskDoc,
    "action": ActionDoc,
    "check": CheckDoc,
    "call": CallDoc,
    "goto": GotoDoc,
    "end": EndDoc,
}


def keys_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The YAML keys a model accepts, in declaration order."""
    return tuple(info.alias or name for name, info in model.model_fields.items())
