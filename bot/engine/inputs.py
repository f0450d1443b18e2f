"""What can resume a session: something the person did, or a service's answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.engine.session import Value


@dataclass(frozen=True, slots=True)
class Attachment:
    """A photo or document the person sent. Only the platform's reference is kept here;
    fetching and storing the bytes is a service's job."""

    kind: str
    file_id: str
    size: int | None = None
    mime_type: str | None = None

    def as_value(self) -> dict[str, Value]:
        return {
            "kind": self.kind,
            "file_id": self.file_id,
            "size": self.size,
            "mime_type": self.mime_type,
        }


@dataclass(frozen=True, slots=True)
class Input:
    """Typed text, a button press (on `step`, with `value`) or an attachment."""

    text: str | None = None
    step: str | None = None
    value: str | None = None
    attachment: Attachment | None = None
    flow: str | None = None

    @classmethod
    def refresh(cls) -> Input:
        """Nothing new: show the question the person is on (or the home flow)."""
        return cls()

    @classmethod
    def say(cls, text: str) -> Input:
        return cls(text=text)

    @classmethod
    def press(cls, step: str, value: str, flow: str | None = None) -> Input:
        """A button press; with `flow`, a same-named step of another flow is stale."""
        return cls(step=step, value=value, flow=flow)

    @classmethod
    def send(cls, attachment: Attachment) -> Input:
        return cls(attachment=attachment)

    @property
    def is_press(self) -> bool:
        return self.value is not None

    @property
    def is_refresh(self) -> bool:
        return self.text is None and self.value is None and self.attachment is None


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What a service answered to an `ActionRequested`."""

    ok: bool = True
    values: Mapping[str, Value] = field(default_factory=dict)
