"""What a sprint of the engine produced, as plain data, in the order it happened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.engine.model import InputKind
from bot.engine.session import Value


@dataclass(frozen=True, slots=True)
class Label:
    """English source text to be translated when shown (a chosen button's label)."""

    texts: tuple[str, ...]


class ButtonRole(StrEnum):
    CHOICE = "choice"
    BACK = "back"
    SKIP = "skip"
    DONE = "done"
    EXIT = "exit"
    EMERGENCY = "emergency"


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a question. `label` is English source text; pressing it sends
    `Input.press(step, value, flow)` back. `selected` marks picks of a multi-choice question."""

    label: str
    step: str
    value: str
    role: ButtonRole = ButtonRole.CHOICE
    selected: bool = False
    flow: str = ""


@dataclass(frozen=True, slots=True)
class MessageCreated:
    """A message for the person. `text` is the English source (a translation key) with
    `{name}` placeholders filled from `vars` after translation. `updates_question` says
    this re-draws the question just sent (a pick in a multi-choice): an adapter may edit
    that message in place instead of sending a new one."""

    text: str
    vars: Mapping[str, Value | Label] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()
    step: str | None = None
    updates_question: bool = False


@dataclass(frozen=True, slots=True)
class WaitStarted:
    flow: str
    step: str
    kind: InputKind
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ActionRequested:
    """A service should act. `key` is unique per request: services use it to act once."""

    name: str
    params: Mapping[str, Value]
    flow: str
    step: str
    key: str


@dataclass(frozen=True, slots=True)
class FlowEnded:
    flow: str


@dataclass(frozen=True, slots=True)
class SessionExpired:
    flow: str


@dataclass(frozen=True, slots=True)
class Failed:
    """A content problem met at run time. The person got an apology and the home flow;
    the operator should see `reason` in the logs (it never holds what the person typed)."""

    reason: str
    flow: str | None
    step: str | None


Event = MessageCreated | WaitStarted | ActionRequested | FlowEnded | SessionExpired | Failed
