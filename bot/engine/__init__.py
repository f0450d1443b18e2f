"""The pure flow engine: flows + session + input -> new session + events.

Nothing in this package does I/O, awaits, talks to Telegram, touches a database or
translates text. Everything with side effects happens outside, driven by the events.
"""

from bot.engine.events import (
    ActionRequested,
    Button,
    ButtonRole,
    Event,
    Failed,
    FlowEnded,
    Label,
    MessageCreated,
    SessionExpired,
    WaitStarted,
)
from bot.engine.inputs import ActionResult, Attachment, Input
from bot.engine.model import (
    Action,
    Ask,
    Call,
    Check,
    Choice,
    End,
    Flow,
    Flows,
    Goto,
    InputKind,
    Say,
    Step,
    Trigger,
)
from bot.engine.runner import Sprint, resume, start
from bot.engine.session import Frame, Session, Value

__all__ = [
    "Action",
    "ActionRequested",
    "ActionResult",
    "Ask",
    "Attachment",
    "Button",
    "ButtonRole",
    "Call",
    "Check",
    "Choice",
    "End",
    "Event",
    "Failed",
    "Flow",
    "FlowEnded",
    "Flows",
    "Frame",
    "Goto",
    "Input",
    "InputKind",
    "Label",
    "MessageCreated",
    "Say",
    "Session",
    "SessionExpired",
    "Sprint",
    "Step",
    "Trigger",
    "Value",
    "WaitStarted",
    "resume",
    "start",
]
