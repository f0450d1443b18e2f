"""A command no flow has gets "I don't know that command", and is never an answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.engine import (
    Ask,
    Choice,
    End,
    Flows,
    Input,
    InputKind,
    MessageCreated,
    Say,
    Session,
    SessionExpired,
    Sprint,
    Trigger,
    resume,
    texts,
)
from bot.engine.answers import DONE
from bot.engine.triggers import command_of
from tests.engine.builders import NOW, flow, flows

KINDS = (Choice("Race", "race"), Choice("Religion", "religion"), Choice("Other", "other"))


def setup() -> Flows:
    menu = flow(
        "menu",
        Ask(
            "pick",
            "What would you like to do?",
            InputKind.CHOICE,
            choices=(Choice("Report something", "report", next="go"),),
        ),
        End("go", "Take care."),
        home=True,
        trigger=Trigger(commands=("/start", "/menu")),
    )
    report = flow(
        "report",
        Ask(
            "about",
            "What was it about?",
            InputKind.CHOICE,
            save="about",
            choices=KINDS,
            multiple=True,
            next="story",
        ),
        Ask("story", "What happened?", InputKind.TEXT, save="story", next="echo"),
        Say("echo", "You said: {story}", next="more"),
        Ask("more", "Anything else?", InputKind.TEXT, next="bye"),
        End("bye", "Thank you."),
        trigger=Trigger(commands=("/report",)),
    )
    help_flow = flow(
        "help",
        Say("commands", "Send /menu for the menu."),
        trigger=Trigger(commands=("/help",), returns=True),
    )
    return flows(menu, report, help_flow)


def run(*inputs: Input) -> Sprint:
    """Send `inputs` one by one, from no conversation at all."""
    sprint = Sprint(Session(), ())
    for given in inputs:
        sprint = resume(setup(), sprint.session, given, now=NOW)
    return sprint


def said(sprint: Sprint) -> list[str]:
    return [e.text for e in sprint.events if isinstance(e, MessageCreated)]


# Up to the text question of the report.
AT_STORY = (
    Input.say("/report"),
    Input.press("about", "race", "report"),
    Input.press("about", DONE, "report"),
)


def test_at_a_text_question_it_is_not_the_answer_and_the_question_comes_back() -> None:
    sprint = run(*AT_STORY, Input.say("/broadcast Meeting at 6pm"))
    assert said(sprint) == [texts.UNKNOWN_COMMAND, "What happened?"]
    assert sprint.session.step == "story"
    assert "story" not in sprint.session.vars
    answered = resume(setup(), sprint.session, Input.say("Someone shouted at me"), now=NOW)
    assert answered.session.vars["story"] == "Someone shouted at me"


def test_at_a_choice_question_the_picks_so_far_are_kept() -> None:
    sprint = run(
        Input.say("/report"),
        Input.press("about", "religion", "report"),
        Input.say("/stats"),
    )
    assert said(sprint) == [texts.UNKNOWN_COMMAND, "What was it about?"]
    question = sprint.events[-2]
    assert isinstance(question, MessageCreated)
    assert not question.updates_question, "a new message, below the notice"
    assert [b.value for b in question.buttons if b.selected] == ["religion"]
    assert sprint.session.picked == ["religion"]
    done = resume(setup(), sprint.session, Input.press("about", DONE, "report"), now=NOW)
    assert done.session.vars["about"] == ["religion"]


def test_without_a_conversation_the_home_flow_starts() -> None:
    sprint = run(Input.say("/broadcast"))
    assert said(sprint) == [texts.UNKNOWN_COMMAND, "What would you like to do?"]
    assert sprint.session.flow == "menu"


def test_after_a_quiet_while_the_notice_comes_after_the_fresh_start_notice() -> None:
    sprint = run(Input.say("/report"))
    later = resume(setup(), sprint.session, Input.say("/nonsense"), now=NOW + timedelta(minutes=31))
    assert isinstance(later.events[0], SessionExpired)
    assert said(later) == [texts.EXPIRED, texts.UNKNOWN_COMMAND, "What would you like to do?"]


def test_staff_commands_look_like_any_unknown_command() -> None:
    staff = run(*AT_STORY, Input.say("/broadcast all: hello"))
    typo = run(*AT_STORY, Input.say("/hlep"))
    assert said(staff) == said(typo)
    assert staff.session == typo.session


def test_a_known_command_with_the_bots_name_still_matches() -> None:
    sprint = run(*AT_STORY, Input.say("/Help@StandbyBot"))
    assert said(sprint) == ["Send /menu for the menu.", "What happened?"]
    assert sprint.session.step == "story"


@pytest.mark.parametrize("typed", ["1/2", "/ 3pm", "/ about 3pm", "/😀", "/help!", "/" + "a" * 33])
def test_texts_that_only_look_like_commands_are_answers(typed: str) -> None:
    sprint = run(*AT_STORY, Input.say(typed))
    assert said(sprint) == ["You said: {story}", "Anything else?"]
    assert sprint.session.vars["story"] == typed


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("/help", "/help"),
        ("  /Help@StandbyBot  ", "/help"),
        ("/start abc123", "/start"),
        ("/start@StandbyBot\nabc", "/start"),
        ("/forget_me", "/forget_me"),
        ("/" + "a" * 32, "/" + "a" * 32),
        ("/" + "a" * 33, None),
        ("1/2", None),
        ("/ about 3pm", None),
        ("/", None),
        ("/😀", None),
        ("/help😀", None),
        ("/hélp", None),
        ("/help!", None),
        ("/start@", None),
        ("help", None),
    ],
)
def test_what_counts_as_a_command(typed: str, command: str | None) -> None:
    assert command_of(typed) == command
