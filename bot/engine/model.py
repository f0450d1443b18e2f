"""The engine's view of a flow: immutable, fully resolved steps.

The YAML loader (`bot.flowdef`) builds these; by the time the engine sees a flow every
`next` is explicit (the loader fills in "the following step") and every reference has
been checked. The engine still fails softly if content is wrong at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum


class InputKind(StrEnum):
    """What an `ask` step waits for."""

    CHOICE = "choice"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    YES_NO = "yes_no"
    PHOTO = "photo"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class Choice:
    """One button of a question. `label` is English source text; `value` is what is saved.

    With `revisit`, pressing it asks again from that step of the flow, and when the flow
    is about to run `until` (or, without `until`, once that one question is answered) it
    goes to the question's `return_to` instead: "change this answer, then the summary".
    """

    label: str
    value: str
    next: str | None = None
    revisit: str | None = None
    until: str | None = None


@dataclass(frozen=True, slots=True)
class Say:
    """Send a message and carry on. `next=None` ends the flow."""

    id: str
    text: str
    next: str | None = None


@dataclass(frozen=True, slots=True)
class Ask:
    """Ask a question and wait for the answer.

    `choices` are shown as buttons (kind CHOICE); other kinds take typed input or a file.
    With `choices_from` (kind CHOICE, no `choices`) the buttons are the list a variable
    holds, each `{"label": ..., "value": ...}`; see `bot.engine.choices`.
    `multiple` lets a person pick several choices (or send several files) then press Done.
    `optional` adds a Skip button that saves nothing (the variable is set to None).
    """

    id: str
    text: str
    kind: InputKind
    next: str | None = None
    save: str | None = None
    choices: tuple[Choice, ...] = ()
    multiple: bool = False
    optional: bool = False
    max_length: int = 1000
    min: float | None = None
    max: float | None = None
    allow_future: bool = False
    retry: str | None = None
    choices_from: str | None = None
    return_to: str | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """Ask a service outside the engine to do something, then carry on.

    `params` values may hold `{placeholders}`, filled from variables. The service answers
    with named values; those listed in `save` become variables (None when not given).
    `on_error` is where to go when the service reports a failure; without it a failure
    ends in the home flow with an apology.
    """

    id: str
    name: str
    params: Mapping[str, str] = field(default_factory=dict)
    save: tuple[str, ...] = ()
    next: str | None = None
    on_error: str | None = None


@dataclass(frozen=True, slots=True)
class Check:
    """Branch on a variable: the first case whose value matches (or, for a list variable,
    is in the list) wins; otherwise `otherwise` (or `next`, when no case matches at all)."""

    id: str
    var: str
    cases: tuple[tuple[str, str], ...]
    otherwise: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """Run another flow and come back to `next` when it ends."""

    id: str
    flow: str
    next: str | None = None


@dataclass(frozen=True, slots=True)
class Goto:
    """Continue in another flow, not coming back."""

    id: str
    flow: str


@dataclass(frozen=True, slots=True)
class End:
    """End the flow (an optional closing message)."""

    id: str
    text: str | None = None


Step = Say | Ask | Action | Check | Call | Goto | End


@dataclass(frozen=True, slots=True)
class Trigger:
    """How a flow is reached from anywhere.

    Commands (`/help`) match the start of a message; words match the whole message,
    ignoring case, spacing and punctuation, so "999" in a long description never jumps.
    With `returns`, the person comes back to the question they were on when it ends.
    """

    commands: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    returns: bool = False


@dataclass(frozen=True, slots=True)
class Flow:
    id: str
    steps: Mapping[str, Step]
    start: str
    expires_after: timedelta = timedelta(hours=24)
    home: bool = False
    quick_exit: bool = False
    emergency: bool = False
    quiet_start: bool = False
    trigger: Trigger | None = None
    needs: tuple[str, ...] = ()
    title: str | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Flows:
    """All loaded flows, with the home flow new conversations start in.

    With `quick_exit` (a flow's id), every question gets a "Leave now" button that runs
    that flow at once, from wherever the person is: someone may need to hide the chat fast.
    With `emergency`, every question (outside that flow) gets a button that runs it and
    comes back, as its trigger would. With `quiet_start`, the first message after a quick
    exit begins that flow rather than the home flow's welcome.
    """

    by_id: Mapping[str, Flow]
    home: str
    quick_exit: str | None = None
    emergency: str | None = None
    quiet_start: str | None = None

    def get(self, flow_id: str) -> Flow | None:
        return self.by_id.get(flow_id)

    def step(self, flow_id: str, step_id: str) -> Step | None:
        flow = self.by_id.get(flow_id)
        return None if flow is None else flow.steps.get(step_id)
