"""A person's place in the flows, as plain data that serialises to JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Value = str | int | float | bool | None | list[Any] | dict[str, Any]


@dataclass(slots=True)
class Frame:
    """Where to go back to when a called flow ends.

    `again=False` continues after the step (a `call`); `again=True` repeats it (a trigger
    with `returns`, so the person sees the question they were on once more, with the
    `history` it had, so Back still goes where it went before).
    """

    flow: str
    step: str
    again: bool = False
    history: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Session:
    """Everything the engine needs to continue a conversation.

    `flow`/`step` is the step being waited on (None when the conversation has ended).
    `waiting` is "input" or "action". `labels` keeps the English labels of chosen buttons
    so later text can show "A witness" rather than the stored value "witness". `picked`
    holds a multi-choice answer in progress. `history` lets Back return to earlier questions
    of the current flow. `turn` counts resumes, giving actions an idempotency key.
    `revisit` is a part of a flow being asked again (`flow`, `start`, `until`, `then`; see
    `Choice.revisit`). `quiet` says the last conversation ended with a quick exit, so the
    next one starts quietly.
    """

    flow: str | None = None
    step: str | None = None
    waiting: str | None = None
    stack: list[Frame] = field(default_factory=list)
    vars: dict[str, Value] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)
    picked: list[Value] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    expires_at: datetime | None = None
    turn: int = 0
    revisit: dict[str, str | None] | None = None
    quiet: bool = False

    @property
    def active(self) -> bool:
        return self.flow is not None

    def without_answers(self) -> Session:
        """Where the person was, and nothing they said: enough to tell them, when they come
        back after a long quiet, why the conversation starts again."""
        return Session(
            self.flow, self.step, self.waiting, expires_at=self.expires_at, turn=self.turn
        )

    def copy(self) -> Session:
        """A copy the engine may change. Containers are copied; values are shared, because
        the engine replaces values and never changes one in place."""
        return Session(
            self.flow,
            self.step,
            self.waiting,
            list(self.stack),
            dict(self.vars),
            {name: list(texts) for name, texts in self.labels.items()},
            list(self.picked),
            list(self.history),
            self.expires_at,
            self.turn,
            dict(self.revisit) if self.revisit else None,
            self.quiet,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data. Values are shared, not copied: serialise it, don't change it."""
        return {
            "flow": self.flow,
            "step": self.step,
            "waiting": self.waiting,
            "stack": [
                {"flow": f.flow, "step": f.step, "again": f.again, "history": f.history}
                for f in self.stack
            ],
            "vars": self.vars,
            "labels": self.labels,
            "picked": self.picked,
            "history": self.history,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "turn": self.turn,
            "revisit": self.revisit,
            "quiet": self.quiet,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        fields = dict(data)
        fields["stack"] = [Frame(**frame) for frame in fields.get("stack", [])]
        expires = fields.get("expires_at")
        fields["expires_at"] = datetime.fromisoformat(expires) if expires else None
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in fields.items() if key in known})
