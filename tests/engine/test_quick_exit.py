"""Leave now: a button under every menu that runs the quick exit flow from anywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.engine import (
    ActionRequested,
    Ask,
    ButtonRole,
    Choice,
    Flows,
    Input,
    InputKind,
    MessageCreated,
    SessionExpired,
    Sprint,
    Trigger,
    resume,
    start,
    texts,
)
from bot.engine.answers import EXIT
from bot.engine.model import Action
from tests.engine.builders import NOW, flow, flows, sample


def with_quick_exit() -> Flows:
    """`sample()` plus a quick exit flow, and a question of every kind in `extra`."""
    base = sample()
    leave = flow("leave", Action("erase", "quick_exit"), trigger=Trigger(commands=("/exit",)))
    extra = flow(
        "extra",
        Ask("sure", "Are you sure?", InputKind.YES_NO, next="when"),
        Ask("when", "When?", InputKind.DATE, next="words"),
        Ask("words", "Tell me.", InputKind.TEXT, next="files"),
        Ask("files", "Any photos?", InputKind.PHOTO, optional=True, next="many"),
        Ask(
            "many",
            "Pick some.",
            InputKind.CHOICE,
            multiple=True,
            choices=(Choice("A", "a"), Choice("B", "b")),
        ),
        trigger=Trigger(commands=("/extra",)),
    )
    return flows(*base.by_id.values(), leave, extra, quick_exit="leave")


def question(sprint: Sprint) -> MessageCreated:
    return [e for e in sprint.events if isinstance(e, MessageCreated) and e.step][-1]


def exit_buttons(sprint: Sprint) -> list[tuple[str, str]]:
    return [(b.label, b.value) for b in question(sprint).buttons if b.role is ButtonRole.EXIT]


LEAVE = [(texts.LEAVE_NOW, EXIT)]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([], LEAVE),  # the main menu
        ([Input.press("pick", "report")], LEAVE),  # a menu inside a called flow
        ([Input.say("/extra")], LEAVE),  # yes/no
        ([Input.say("/extra"), Input.say("yes")], LEAVE),  # a date
        ([Input.say("/extra"), Input.say("yes"), Input.say("today")], LEAVE),  # typed text
        ([Input.say("/extra"), Input.say("y"), Input.say("today"), Input.say("x")], LEAVE),  # file
        (
            [
                Input.say("/extra"),
                Input.say("y"),
                Input.say("today"),
                Input.say("x"),
                Input.press("files", "~skip"),
            ],
            LEAVE,  # multiple choice
        ),
    ],
)
def test_leave_now_is_under_every_question_typed_dated_or_files_too(
    steps: list[Input], expected: list[tuple[str, str]]
) -> None:
    current = start(with_quick_exit(), None, now=NOW)
    for given in steps:
        current = resume(with_quick_exit(), current.session, given, now=NOW)
    assert exit_buttons(current) == expected


def test_leave_now_comes_last_after_done_and_back() -> None:
    current = start(with_quick_exit(), None, now=NOW)
    for given in [Input.say("/extra"), Input.say("y"), Input.say("today"), Input.say("x")]:
        current = resume(with_quick_exit(), current.session, given, now=NOW)
    current = resume(with_quick_exit(), current.session, Input.press("files", "~skip"), now=NOW)
    roles = [b.role for b in question(current).buttons]
    assert roles[-3] is ButtonRole.DONE
    assert roles[-2:] == [ButtonRole.BACK, ButtonRole.EXIT]


def test_without_a_quick_exit_flow_there_is_no_leave_now_button() -> None:
    assert exit_buttons(start(sample(), None, now=NOW)) == []


def erase_requested(sprint: Sprint) -> bool:
    """The sprint only asks for the quick exit: no question, no other message."""
    messages = [e for e in sprint.events if isinstance(e, MessageCreated)]
    action = sprint.action
    return (
        not messages
        and action is not None
        and (action.flow, action.name)
        == (
            "leave",
            "quick_exit",
        )
    )


@pytest.mark.parametrize(
    "press",
    [
        Input.press("who", EXIT, "report"),  # the question the person is on
        Input.press("pick", EXIT, "menu"),  # an older menu further up the chat
        Input.press("gone", EXIT, "nowhere"),  # a step that no longer exists
    ],
)
def test_leave_now_runs_the_quick_exit_from_wherever_it_was_pressed(press: Input) -> None:
    current = start(with_quick_exit(), None, now=NOW)
    current = resume(with_quick_exit(), current.session, Input.press("pick", "report"), now=NOW)
    left = resume(with_quick_exit(), current.session, press, now=NOW)
    assert erase_requested(left)
    assert left.session.stack == [], "nothing to come back to after the exit"
    assert left.session.vars == {}, "the answers so far are forgotten"


def test_leave_now_after_the_conversation_went_quiet_says_nothing_first() -> None:
    current = start(with_quick_exit(), None, now=NOW)
    later = NOW + timedelta(hours=3)
    left = resume(with_quick_exit(), current.session, Input.press("pick", EXIT, "menu"), now=later)
    assert erase_requested(left)
    assert not any(isinstance(e, SessionExpired) for e in left.events)


def test_the_exit_value_is_an_ordinary_stale_press_without_a_quick_exit_flow() -> None:
    current = start(sample(), None, now=NOW)
    pressed = resume(sample(), current.session, Input.press("pick", EXIT, "menu"), now=NOW)
    assert not any(isinstance(e, ActionRequested) for e in pressed.events)
    assert question(pressed).step == "pick"
