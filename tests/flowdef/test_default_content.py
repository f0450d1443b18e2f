"""What the default flows say and offer, checked over every step of every flow.

- Every question, whatever it waits for (buttons, typed text, a date, files), offers
  Leave now and the emergency button, and sending "999" from it brings the emergency
  numbers.
- No text promises that someone will contact the person: Standby cannot pass messages
  between a person and the team yet (issue 15 builds it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.engine import (
    Ask,
    ButtonRole,
    End,
    Input,
    MessageCreated,
    Say,
    Session,
    WaitStarted,
    resume,
)
from bot.engine.texts import placeholders
from tests.default_flows import CALL_999 as EMERGENCY_TEXT
from tests.default_flows import load_default_flows

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
FLOWS = load_default_flows()


def _questions() -> Iterator[tuple[str, Ask]]:
    for flow in FLOWS.by_id.values():
        for step in flow.steps.values():
            if isinstance(step, Ask):
                yield flow.id, step


QUESTIONS = sorted(_questions(), key=lambda pair: (pair[0], pair[1].id))


def _waiting_at(flow_id: str, step: Ask) -> Session:
    """A session waiting on `step`, with a stand-in for every variable the flow uses (the
    value does not matter here, only that the question can be shown)."""
    flow = FLOWS.by_id[flow_id]
    names = {
        name
        for other in flow.steps.values()
        for text in _texts(other)
        for name in placeholders(text)
    }
    if step.choices_from:
        names.discard(step.choices_from)
    values: dict[str, object] = dict.fromkeys(names, "x")
    if step.choices_from:
        values[step.choices_from] = [{"label": "One", "value": "one"}]
    return Session(
        flow=flow_id,
        step=step.id,
        waiting="input",
        vars=values,  # type: ignore[arg-type]
        expires_at=NOW.replace(year=2027),
    )


def _texts(step: object) -> Iterator[str]:
    if isinstance(step, Say):
        yield step.text
    elif isinstance(step, Ask):
        yield step.text
        yield from [choice.label for choice in step.choices]
        if step.retry:
            yield step.retry
    elif isinstance(step, End) and step.text:
        yield step.text


@pytest.mark.parametrize(("flow", "step"), QUESTIONS, ids=[f"{f}/{s.id}" for f, s in QUESTIONS])
def test_every_question_offers_leave_now_and_the_emergency_route(flow: str, step: Ask) -> None:
    shown = resume(FLOWS, _waiting_at(flow, step), Input.refresh(), now=NOW)
    question = [e for e in shown.events if isinstance(e, MessageCreated) and e.step == step.id]
    assert question, f"{flow}/{step.id} was not shown again"
    roles = {button.role for button in question[-1].buttons}
    assert ButtonRole.EXIT in roles
    if flow != "emergency":
        assert ButtonRole.EMERGENCY in roles

    by_word = resume(FLOWS, _waiting_at(flow, step), Input.say("999"), now=NOW)
    said = [e.text for e in by_word.events if isinstance(e, MessageCreated)]
    assert any(text.startswith(EMERGENCY_TEXT) for text in said), said
    waits = [e for e in by_word.events if isinstance(e, WaitStarted)]
    assert waits[-1].flow == "emergency"


# Words that would promise that someone gets back to the person. "Nobody can write to you
# … yet" is the honest sentence and must not match.
PROMISES = re.compile(
    r"\b(?:we|they|someone|a caseworker|the team|staff|standby)\s+(?:will|can|may|might)\s+"
    r"(?:contact|call|phone|write to|message|text|reply to|get in touch with|get back to)\s+"
    r"you\b"
    r"|\bhappy to be contacted\b|\bcontact you\b|\bget in touch with you\b|\bwe will reply\b",
    re.IGNORECASE,
)


def _all_texts() -> Iterator[tuple[str, str]]:
    for flow in FLOWS.by_id.values():
        for step in flow.steps.values():
            for text in _texts(step):
                yield f"{flow.id}/{step.id}", text


def test_the_promise_check_catches_a_promise() -> None:
    assert PROMISES.search("No, I am happy to be contacted")
    assert PROMISES.search("A caseworker may contact you in a few days.")
    assert not PROMISES.search("Nobody can write to you about your report through Standby yet.")


def test_no_text_promises_contact_while_standby_cannot_pass_messages() -> None:
    promising = [(where, text) for where, text in _all_texts() if PROMISES.search(text)]
    assert promising == []


def test_the_report_asks_only_what_can_be_honoured() -> None:
    """The contact question is about linking the report to the chat, and the report does
    not ask how or when to contact the person: nothing could act on the answer."""
    report = FLOWS.by_id["report"]
    asked = " ".join(step.text for step in report.steps.values() if isinstance(step, Ask))
    assert "link your report to this chat" in asked
    assert "safe to contact" not in asked
