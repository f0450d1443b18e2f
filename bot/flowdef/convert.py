"""From validated step documents to the engine's model, with every default made explicit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.engine.model import (
    Action,
    Ask,
    Call,
    Check,
    Choice,
    End,
    Goto,
    InputKind,
    Say,
    Step,
)
from bot.flowdef.limits import DEFAULT_INPUT_LENGTH
from bot.flowdef.schema import (
    ActionDoc,
    AskDoc,
    CallDoc,
    CheckDoc,
    EndDoc,
    GotoDoc,
    SayDoc,
    StepDoc,
)


@dataclass(frozen=True, slots=True)
class Ref:
    """A name a step uses to point at a step of its flow, or at another flow.

    `loc` is where in the step it is written (YAML keys and list indexes), for the line.
    """

    key: str
    target: str
    loc: tuple[str | int, ...]


def to_step(doc: StepDoc, values: list[str], following: str | None) -> Step:
    """The engine step for `doc`; `following` is the next step in the file (None: last).

    `values` are the resolved choice values of an ask (see `bot.flowdef.steps`).
    """
    match doc:
        case SayDoc():
            return Say(doc.id, doc.say, doc.next or following)
        case AskDoc():
            return _ask(doc, values, following)
        case ActionDoc():
            next_step = doc.next or following
            params = dict(doc.params)
            return Action(doc.id, doc.action, params, tuple(doc.save), next_step, doc.on_error)
        case CheckDoc():
            return Check(doc.id, doc.check, tuple(doc.cases.items()), doc.otherwise or following)
        case CallDoc():
            return Call(doc.id, doc.call, doc.next or following)
        case GotoDoc():
            return Goto(doc.id, doc.goto)
        case EndDoc():
            return End(doc.id, doc.end)
    raise TypeError(f"not a step document: {doc!r}")


def _ask(doc: AskDoc, values: list[str], following: str | None) -> Ask:
    choices = tuple(
        Choice(choice.label, value, choice.next, choice.revisit, choice.until)
        for choice, value in zip(doc.choices or [], values, strict=True)
    )
    buttons = doc.choices is not None or doc.choices_from is not None
    kind = InputKind.CHOICE if buttons else InputKind(doc.input or "text")
    return Ask(
        id=doc.id,
        text=doc.ask,
        kind=kind,
        next=doc.next or following,
        save=doc.save,
        choices=choices,
        multiple=doc.multiple,
        optional=doc.optional,
        max_length=doc.max_length or DEFAULT_INPUT_LENGTH,
        min=doc.min,
        max=doc.max,
        allow_future=doc.allow_future,
        retry=doc.retry,
        choices_from=doc.choices_from,
        return_to=doc.return_to,
    )


def step_refs(doc: StepDoc) -> Iterator[Ref]:
    """The steps `doc` names explicitly (defaults are always valid)."""
    match doc:
        case SayDoc() | CallDoc() if doc.next:
            yield Ref("next", doc.next, ("next",))
        case AskDoc():
            if doc.next:
                yield Ref("next", doc.next, ("next",))
            if doc.return_to:
                yield Ref("return_to", doc.return_to, ("return_to",))
            for index, choice in enumerate(doc.choices or []):
                for key in ("next", "revisit", "until"):
                    target = getattr(choice, key)
                    if target:
                        yield Ref(key, target, ("choices", index, key))
        case ActionDoc():
            if doc.next:
                yield Ref("next", doc.next, ("next",))
            if doc.on_error:
                yield Ref("on_error", doc.on_error, ("on_error",))
        case CheckDoc():
            for value, target in doc.cases.items():
                yield Ref("cases", target, ("cases", value))
            if doc.otherwise:
                yield Ref("otherwise", doc.otherwise, ("otherwise",))


def flow_ref(doc: StepDoc) -> Ref | None:
    """The other flow `doc` calls or goes to, if any."""
    if isinstance(doc, CallDoc):
        return Ref("call", doc.call, ("call",))
    if isinstance(doc, GotoDoc):
        return Ref("goto", doc.goto, ("goto",))
    return None
