"""Questions whose buttons come from a variable a service filled (`choices_from`)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine import (
    Action,
    ActionResult,
    Ask,
    Choice,
    End,
    Failed,
    Input,
    InputKind,
    Label,
    MessageCreated,
    Say,
    Sprint,
    Trigger,
    WaitStarted,
    resume,
    start,
    texts,
)
from bot.engine.answers import BACK, DONE, SKIP
from bot.engine.choices import MAX_CHOICES, resolved
from bot.engine.model import Flows
from tests.engine.builders import NOW, flow, flows

AREAS = [
    {"label": "Leeds", "value": "leeds"},
    {"label": "Bradford", "value": "bradford"},
    {"label": "Kirklees", "value": "kirklees"},
]


def areas_flows(*, multiple: bool = False, optional: bool = False) -> Flows:
    """A home menu, and an alerts flow: a service lists the areas, the person picks."""
    home = flow("menu", Ask("hi", "How can I help?", InputKind.TEXT), home=True)
    alerts = flow(
        "alerts",
        Ask("nation", "Which nation?", InputKind.TEXT, save="nation", next="list"),
        Action("list", "alert_areas", {"within": "{nation}"}, ("areas",), next="pick"),
        Ask(
            "pick",
            "Which area?",
            InputKind.CHOICE,
            save="area",
            choices_from="areas",
            multiple=multiple,
            optional=optional,
            next="echo",
        ),
        Say("echo", "You picked {area}.", next="bye"),
        Ask("bye", "Anything else?", InputKind.TEXT),
        trigger=Trigger(commands=("/alerts",)),
    )
    emergency = flow(
        "emergency",
        Say("call", "If you are in danger now, call 999."),
        trigger=Trigger(words=("emergency",), returns=True),
    )
    return flows(home, alerts, emergency)


def listed(areas: Any, *, multiple: bool = False, optional: bool = False) -> Sprint:
    """Up to the service's answer: `areas` is what it saves into the variable."""
    setup = areas_flows(multiple=multiple, optional=optional)
    sprint = resume(setup, start(setup, None, now=NOW).session, Input.say("/alerts"), now=NOW)
    sprint = resume(setup, sprint.session, Input.say("England"), now=NOW)
    assert sprint.action is not None
    assert sprint.action.params == {"within": "England"}
    return resume(setup, sprint.session, ActionResult(values={"areas": areas}), now=NOW)


def then(sprint: Sprint, given: Input, *, multiple: bool = False, optional: bool = False) -> Sprint:
    setup = areas_flows(multiple=multiple, optional=optional)
    return resume(setup, sprint.session, given, now=NOW)


def said(sprint: Sprint) -> list[str]:
    return [e.text for e in sprint.events if isinstance(e, MessageCreated)]


def question(sprint: Sprint) -> MessageCreated:
    message = sprint.events[-2]
    assert isinstance(message, MessageCreated)
    return message


def reasons(sprint: Sprint) -> list[str]:
    return [e.reason for e in sprint.events if isinstance(e, Failed)]


def test_the_variable_becomes_the_buttons() -> None:
    sprint = listed(AREAS)
    shown = question(sprint)
    assert (shown.text, shown.step) == ("Which area?", "pick")
    assert [(b.label, b.value) for b in shown.buttons] == [
        ("Leeds", "leeds"),
        ("Bradford", "bradford"),
        ("Kirklees", "kirklees"),
        (texts.BACK, BACK),
    ]
    wait = sprint.events[-1]
    assert isinstance(wait, WaitStarted)
    assert (wait.step, wait.kind) == ("pick", InputKind.CHOICE)


def test_a_press_saves_the_value_and_keeps_the_label_for_later_texts() -> None:
    sprint = then(listed(AREAS), Input.press("pick", "bradford", "alerts"))
    assert sprint.session.vars["area"] == "bradford"
    assert sprint.session.labels["area"] == ["Bradford"]
    echo = sprint.events[0]
    assert isinstance(echo, MessageCreated)
    assert (echo.text, echo.vars) == ("You picked {area}.", {"area": Label(("Bradford",))})
    assert sprint.session.step == "bye"


@pytest.mark.parametrize(("typed", "saved"), [("3", "kirklees"), ("leeds", "leeds")])
def test_typed_numbers_and_labels_pick_as_with_written_choices(typed: str, saved: str) -> None:
    sprint = then(listed(AREAS), Input.say(typed))
    assert sprint.session.vars["area"] == saved


def test_a_value_not_in_the_current_list_is_asked_again() -> None:
    sprint = then(listed(AREAS), Input.press("pick", "wakefield", "alerts"))
    assert said(sprint) == [texts.PICK_ONE, "Which area?"]
    assert [b.value for b in question(sprint).buttons][:3] == ["leeds", "bradford", "kirklees"]
    assert sprint.session.step == "pick"
    assert "area" not in sprint.session.vars


def test_several_picks_then_done() -> None:
    sprint = listed(AREAS, multiple=True)
    assert [b.value for b in question(sprint).buttons][3] == DONE
    for value in ("kirklees", "leeds"):
        sprint = then(sprint, Input.press("pick", value, "alerts"), multiple=True)
        redraw = sprint.events[0]
        assert isinstance(redraw, MessageCreated)
        assert redraw.updates_question
    assert [b.value for b in question(sprint).buttons if b.selected] == ["leeds", "kirklees"]
    sprint = then(sprint, Input.press("pick", DONE, "alerts"), multiple=True)
    assert sprint.session.vars["area"] == ["leeds", "kirklees"]
    assert sprint.session.labels["area"] == ["Leeds", "Kirklees"]


def test_skip_saves_nothing() -> None:
    sprint = listed(AREAS, optional=True)
    assert SKIP in [b.value for b in question(sprint).buttons]
    sprint = then(sprint, Input.press("pick", SKIP, "alerts"), optional=True)
    assert sprint.session.vars["area"] is None
    assert sprint.session.step == "bye"


def test_back_and_a_returning_trigger_show_the_same_buttons_again() -> None:
    sprint = then(listed(AREAS), Input.press("pick", "leeds", "alerts"))
    back = then(sprint, Input.press("bye", BACK, "alerts"))
    assert said(back) == ["Which area?"]
    assert [b.value for b in question(back).buttons][:3] == ["leeds", "bradford", "kirklees"]
    jumped = then(listed(AREAS), Input.say("emergency"))
    assert said(jumped) == ["If you are in danger now, call 999.", "Which area?"]
    assert [b.value for b in question(jumped).buttons][:3] == ["leeds", "bradford", "kirklees"]


def test_a_list_as_long_as_the_limit_is_shown_in_full() -> None:
    many = [{"label": f"Area {n}", "value": f"area_{n}"} for n in range(MAX_CHOICES)]
    shown = question(listed(many))
    assert len([b for b in shown.buttons if b.value.startswith("area_")]) == MAX_CHOICES


@pytest.mark.parametrize(
    ("areas", "reason"),
    [
        (None, "variable 'areas' should hold a list of buttons, not nothing"),
        ("leeds", "variable 'areas' should hold a list of buttons, not text"),
        (
            {"label": "Leeds", "value": "leeds"},
            "variable 'areas' should hold a list of buttons, not a set of keys",
        ),
        ([], "variable 'areas' holds no buttons"),
        (
            [{"label": f"Area {n}", "value": f"area_{n}"} for n in range(MAX_CHOICES + 1)],
            f"variable 'areas' holds {MAX_CHOICES + 1} buttons; the limit is {MAX_CHOICES}",
        ),
        (["leeds"], "button 1 of variable 'areas' should be a 'label' and a 'value', not text"),
        ([*AREAS, {"value": "hull"}], "button 4 of variable 'areas' has no 'label' text"),
        ([{"label": " ", "value": "hull"}], "button 1 of variable 'areas' has no 'label' text"),
        (
            [{"label": "Hull"}],
            "button 1 of variable 'areas' has no valid 'value' (a-z, 0-9 and _, at most 48 "
            "characters)",
        ),
        (
            [{"label": "Back", "value": BACK}],
            "button 1 of variable 'areas' has no valid 'value' (a-z, 0-9 and _, at most 48 "
            "characters)",
        ),
        (
            [{"label": "Hull", "value": "h" * 49}],
            "button 1 of variable 'areas' has no valid 'value' (a-z, 0-9 and _, at most 48 "
            "characters)",
        ),
        (
            [*AREAS, {"label": "Leeds again", "value": "leeds"}],
            "value 'leeds' appears twice in variable 'areas'",
        ),
    ],
)
def test_a_variable_that_cannot_be_buttons_fails_softly(areas: Any, reason: str) -> None:
    sprint = listed(areas)
    failed = [e for e in sprint.events if isinstance(e, Failed)]
    assert [(f.reason, f.flow, f.step) for f in failed] == [(reason, "alerts", "pick")]
    assert said(sprint) == [texts.FAILED, "How can I help?"]
    assert sprint.session.flow == "menu"
    assert "areas" not in sprint.session.vars, "the failed conversation is forgotten"


def test_a_variable_that_is_not_set_fails_softly() -> None:
    setup = flows(
        flow(
            "menu",
            Ask("pick", "Which area?", InputKind.CHOICE, choices_from="areas", next="bye"),
            End("bye"),
            home=True,
        )
    )
    sprint = start(setup, None, now=NOW)
    assert reasons(sprint) == [
        "variable 'areas' for the buttons of step 'pick' is not set",
        "variable 'areas' for the buttons of step 'pick' is not set",
    ], "the home flow fails too, and is not started again"
    assert not sprint.session.active


def test_resolving_is_once_only_and_leaves_written_choices_alone() -> None:
    written = Ask("q", "?", InputKind.CHOICE, choices=(Choice("One", "one"),))
    assert resolved(written, {}) is written
    dynamic = Ask("q", "?", InputKind.CHOICE, choices_from="areas")
    once = resolved(dynamic, {"areas": AREAS})
    assert once.choices_from is None
    assert [c.value for c in once.choices] == ["leeds", "bradford", "kirklees"]
    assert resolved(once, {}) is once
