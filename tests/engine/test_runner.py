"""The engine, conversation by conversation: input in, events and session out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.engine import (
    ActionRequested,
    ActionResult,
    Ask,
    Attachment,
    Call,
    Choice,
    End,
    Failed,
    FlowEnded,
    Goto,
    Input,
    InputKind,
    Label,
    MessageCreated,
    Say,
    Session,
    SessionExpired,
    Sprint,
    Trigger,
    WaitStarted,
    resume,
    start,
    texts,
)
from bot.engine.answers import BACK, DONE, SKIP, parse_date
from tests.engine.builders import NOW, flow, flows, sample


def said(sprint: Sprint) -> list[str]:
    return [e.text for e in sprint.events if isinstance(e, MessageCreated)]


def walk(*inputs: Input | ActionResult) -> Sprint:
    current = start(sample(), None, now=NOW)
    for given in inputs:
        current = resume(sample(), current.session, given, now=NOW)
    return current


def test_start_greets_and_waits_on_the_first_question() -> None:
    sprint = start(sample(), None, now=NOW)
    assert said(sprint) == ["Hello. I am Standby.", "What would you like to do?"]
    wait = sprint.events[-1]
    assert isinstance(wait, WaitStarted)
    assert (wait.flow, wait.step, wait.kind) == ("menu", "pick", InputKind.CHOICE)
    assert wait.expires_at == NOW + timedelta(minutes=30)
    question = sprint.events[-2]
    assert isinstance(question, MessageCreated)
    assert [(b.label, b.value) for b in question.buttons] == [
        ("Report something", "report"),
        ("Find help", "help"),
    ]


def test_a_whole_report_with_an_action_round_trip() -> None:
    sprint = walk(
        Input.press("pick", "report"),
        Input.press("who", "victim"),
        Input.press("when", "yesterday"),
        Input.say("Leeds"),
    )
    assert said(sprint) == ["I'm sorry this happened to you in {area}."]
    action = sprint.action
    assert action is not None
    assert action.name == "submit_report"
    assert action.params == {"who": "victim", "where": "in Leeds"}
    assert action.key == "4:report:send"

    done = resume(sample(), sprint.session, ActionResult(values={"reference": "K7P-3QX"}), now=NOW)
    first = done.events[0]
    assert isinstance(first, MessageCreated)
    assert first.vars == {
        "reference": "K7P-3QX",
        "who": Label(("I was targeted",)),
        "when": "2026-11-20",
    }
    assert said(done) == ["Your reference is {reference}. You said: {who}, {when}.", "Take care."]
    assert [e.flow for e in done.events if isinstance(e, FlowEnded)] == ["report", "menu"]
    assert not done.session.active
    assert done.session.vars == {}, "answers are forgotten when the conversation ends"


@pytest.mark.parametrize(
    ("step", "given", "expected"),
    [
        ("pick", Input.say("2"), "Take care."),
        ("pick", Input.say("find help"), "Take care."),
        ("pick", Input.say("something else"), texts.PICK_ONE),
        ("pick", Input.press("pick", "nonsense"), texts.PICK_ONE),
        ("pick", Input.send(Attachment("photo", "f1")), texts.PICK_ONE),
        ("pick", Input.press("elsewhere", "report"), texts.BUTTON_EXPIRED),
    ],
)
def test_answers_to_a_choice(step: str, given: Input, expected: str) -> None:
    sprint = walk(given)
    assert said(sprint)[0] == expected


@pytest.mark.parametrize(
    ("typed", "saved", "message"),
    [
        ("today", "2026-11-21", None),
        ("yesterday", "2026-11-20", None),
        ("3/11/2026", "2026-11-03", None),
        ("3-11-26", "2026-11-03", None),
        ("3 November", "2026-11-03", None),
        ("Nov 3rd 2025", "2025-11-03", None),
        ("2026-02-30", None, texts.NOT_A_DATE),
        ("next week", None, texts.NOT_A_DATE),
        ("25/12/2026", None, texts.DATE_IN_FUTURE),
        ("٣/١١/٢٠٢٦", "2026-11-03", None),
    ],
)
def test_dates(typed: str, saved: str | None, message: str | None) -> None:
    sprint = walk(Input.press("pick", "report"), Input.press("who", "witness"), Input.say(typed))
    if message is None:
        assert sprint.session.vars["when"] == saved
        assert sprint.session.step == "area"
    else:
        assert said(sprint)[0] == message
        assert sprint.session.step == "when"


def test_text_longer_than_the_limit_is_asked_again_with_the_limit() -> None:
    sprint = walk(
        Input.press("pick", "report"),
        Input.press("who", "witness"),
        Input.say("today"),
        Input.say("x" * 41),
    )
    first = sprint.events[0]
    assert isinstance(first, MessageCreated)
    assert (first.text, first.vars) == (texts.TOO_LONG, {"limit": 40})
    assert sprint.session.step == "area"


def test_back_returns_to_the_previous_question_of_the_flow() -> None:
    sprint = walk(Input.press("pick", "report"), Input.press("who", "witness"))
    question = sprint.events[-2]
    assert isinstance(question, MessageCreated)
    assert question.buttons[-1].value == BACK
    back = resume(sample(), sprint.session, Input.press("when", BACK), now=NOW)
    assert said(back) == ["Who is reporting?"]
    assert back.session.step == "who"


def test_an_emergency_word_jumps_and_comes_back_to_the_same_question() -> None:
    sprint = walk(Input.press("pick", "report"), Input.say("  Emergency! "))
    assert said(sprint) == ["If you are in danger now, call 999.", "Who is reporting?"]
    assert sprint.session.step == "who"


def test_trigger_words_inside_a_longer_message_do_not_jump() -> None:
    sprint = walk(
        Input.press("pick", "report"),
        Input.press("who", "witness"),
        Input.say("today"),
        Input.say("outside 999 Stores"),
    )
    assert sprint.session.vars["area"] == "outside 999 Stores"


def test_a_command_starts_its_flow_afresh() -> None:
    sprint = walk(
        Input.press("pick", "report"), Input.press("who", "witness"), Input.say("/menu@StandbyBot")
    )
    assert said(sprint) == ["Hello. I am Standby.", "What would you like to do?"]
    assert sprint.session.vars == {}
    assert sprint.session.stack == []


def test_a_quiet_session_expires_politely_and_starts_fresh() -> None:
    sprint = walk(Input.press("pick", "report"))
    later = resume(
        sample(), sprint.session, Input.press("who", "victim"), now=NOW + timedelta(minutes=31)
    )
    assert isinstance(later.events[0], SessionExpired)
    assert said(later) == [texts.EXPIRED, "Hello. I am Standby.", "What would you like to do?"]


def test_a_message_after_the_end_starts_the_home_flow() -> None:
    ended = walk(Input.press("pick", "help"))
    assert not ended.session.active
    again = resume(sample(), ended.session, Input.say("hi"), now=NOW)
    assert said(again)[0] == "Hello. I am Standby."
    stale = resume(sample(), ended.session, Input.press("pick", "help"), now=NOW)
    assert said(stale)[0] == texts.BUTTON_EXPIRED


def test_a_failed_action_without_on_error_apologises_and_goes_home() -> None:
    sprint = walk(
        Input.press("pick", "report"),
        Input.press("who", "witness"),
        Input.say("today"),
        Input.say("Hull"),
        ActionResult(ok=False),
    )
    failed = [e for e in sprint.events if isinstance(e, Failed)]
    assert [f.reason for f in failed] == ["action 'submit_report' failed"]
    assert said(sprint) == [texts.FAILED, "Hello. I am Standby.", "What would you like to do?"]


def test_content_problems_become_a_failure_event_never_an_exception() -> None:
    broken = flows(
        flow("menu", Say("a", "Hi {nobody}."), home=True),
    )
    sprint = start(broken, None, now=NOW)
    assert [e.reason for e in sprint.events if isinstance(e, Failed)] == [
        "variable 'nobody' is used before it is set",
        "variable 'nobody' is used before it is set",
    ]
    assert not sprint.session.active


def test_missing_steps_and_flows_fail_softly() -> None:
    broken = flows(
        flow("menu", Ask("q", "Go?", InputKind.YES_NO, next="gone"), home=True),
        flow("other", Goto("away", "nowhere")),
    )
    sprint = resume(broken, start(broken, None, now=NOW).session, Input.say("yes"), now=NOW)
    assert [e.reason for e in sprint.events if isinstance(e, Failed)] == [
        "step 'gone' does not exist in flow 'menu'"
    ]
    assert sprint.session.step == "q"


def test_a_loop_that_never_waits_is_stopped() -> None:
    looping = flows(flow("menu", Say("a", "again", next="b"), Say("b", "and", next="a"), home=True))
    sprint = start(looping, None, now=NOW)
    reasons = [e.reason for e in sprint.events if isinstance(e, Failed)]
    assert reasons[0] == "the flow went round in circles without waiting for an answer"


def test_multiple_choices_toggle_then_done() -> None:
    kinds = (Choice("Race", "race"), Choice("Religion", "religion"), Choice("Other", "other"))
    multi = flows(
        flow(
            "menu",
            Ask(
                "what",
                "What was it about?",
                InputKind.CHOICE,
                save="about",
                choices=kinds,
                multiple=True,
                next="echo",
            ),
            Say("echo", "You chose: {about}"),
            home=True,
        )
    )
    sprint = start(multi, None, now=NOW)
    for given in (
        Input.press("what", "religion"),
        Input.press("what", "race"),
        Input.press("what", "religion"),
    ):
        sprint = resume(multi, sprint.session, given, now=NOW)
        redraw = sprint.events[0]
        assert isinstance(redraw, MessageCreated)
        assert redraw.updates_question
        selected = [b.value for b in redraw.buttons if b.selected]
    assert selected == ["race"]
    empty = resume(
        multi,
        Session(flow="menu", step="what", waiting="input", expires_at=NOW + timedelta(hours=1)),
        Input.press("what", DONE),
        now=NOW,
    )
    assert said(empty)[0] == texts.PICK_SOME
    sprint = resume(multi, sprint.session, Input.press("what", "other"), now=NOW)
    sprint = resume(multi, sprint.session, Input.press("what", DONE), now=NOW)
    first = sprint.events[0]
    assert isinstance(first, MessageCreated)
    assert first.vars == {"about": Label(("Race", "Other"))}


def test_typed_numbers_pick_several_at_once() -> None:
    kinds = (Choice("Race", "race"), Choice("Religion", "religion"), Choice("Other", "other"))
    multi = flows(
        flow(
            "menu",
            Ask("what", "About?", InputKind.CHOICE, save="about", choices=kinds, multiple=True),
            End("end"),
            home=True,
        )
    )
    sprint = resume(multi, start(multi, None, now=NOW).session, Input.say("3, 1"), now=NOW)
    assert [e for e in sprint.events if isinstance(e, FlowEnded)] == [FlowEnded("menu")]


@pytest.mark.parametrize(
    ("kind", "given", "saved"),
    [
        (InputKind.NUMBER, Input.say("1,200"), 1200),
        (InputKind.NUMBER, Input.say("2.5"), 2.5),
        (InputKind.NUMBER, Input.say("٣"), 3),
        (InputKind.YES_NO, Input.say("Yes"), "yes"),
        (InputKind.YES_NO, Input.press("q", "no"), "no"),
        (InputKind.TEXT, Input.say("  hello  "), "hello"),
        (
            InputKind.PHOTO,
            Input.send(Attachment("photo", "p1", 10)),
            {"kind": "photo", "file_id": "p1", "size": 10, "mime_type": None},
        ),
        (
            InputKind.DOCUMENT,
            Input.send(Attachment("document", "d1", 5, "application/pdf")),
            {"kind": "document", "file_id": "d1", "size": 5, "mime_type": "application/pdf"},
        ),
        (InputKind.TEXT, Input.press("q", SKIP), None),
    ],
)
def test_typed_inputs_are_saved(kind: InputKind, given: Input, saved: object) -> None:
    one = flows(
        flow(
            "menu",
            Ask("q", "?", kind, save="x", optional=True, next="then"),
            Ask("then", "And then?", InputKind.TEXT),
            home=True,
        )
    )
    sprint = resume(one, start(one, None, now=NOW).session, given, now=NOW)
    assert sprint.session.step == "then"
    assert sprint.session.vars["x"] == saved


@pytest.mark.parametrize(
    ("kind", "given", "message"),
    [
        (InputKind.NUMBER, Input.say("lots"), texts.NOT_A_NUMBER),
        (InputKind.NUMBER, Input.say("-1"), texts.NUMBER_TOO_SMALL),
        (InputKind.NUMBER, Input.say("101"), texts.NUMBER_TOO_LARGE),
        (InputKind.YES_NO, Input.say("maybe"), texts.YES_OR_NO),
        (
            InputKind.PHOTO,
            Input.send(Attachment("document", "d", 1, "application/pdf")),
            texts.SEND_PHOTO,
        ),
        (InputKind.DOCUMENT, Input.say("here it is"), texts.SEND_FILE),
        (InputKind.TEXT, Input.send(Attachment("photo", "p")), texts.TYPE_ANSWER),
    ],
)
def test_answers_that_do_not_fit_are_asked_again(
    kind: InputKind, given: Input, message: str
) -> None:
    one = flows(flow("menu", Ask("q", "?", kind, save="x", min=0, max=100), End("end"), home=True))
    sprint = resume(one, start(one, None, now=NOW).session, given, now=NOW)
    assert said(sprint) == [message, "?"]
    assert sprint.session.step == "q"


def test_several_files_then_done() -> None:
    files = flows(
        flow(
            "menu",
            Ask("ev", "Send photos", InputKind.PHOTO, save="ev", multiple=True, next="n"),
            Say("n", "Thanks"),
            home=True,
        )
    )
    sprint = start(files, None, now=NOW)
    for file_id in ("a", "b"):
        sprint = resume(files, sprint.session, Input.send(Attachment("photo", file_id)), now=NOW)
        assert said(sprint) == [texts.FILE_RECEIVED, "Send photos"]
    assert [p["file_id"] for p in sprint.session.picked if isinstance(p, dict)] == ["a", "b"]
    done = resume(files, sprint.session, Input.press("ev", DONE), now=NOW)
    assert said(done) == ["Thanks"]


def test_a_called_flow_returns_to_the_callers_next_step() -> None:
    nested = flows(
        flow("menu", Call("c", "inner", next="after"), Say("after", "Back in menu."), home=True),
        flow("inner", Say("x", "Inside.")),
    )
    sprint = start(nested, None, now=NOW)
    assert said(sprint) == ["Inside.", "Back in menu."]
    assert [e.flow for e in sprint.events if isinstance(e, FlowEnded)] == ["inner", "menu"]


def test_the_input_session_is_never_changed() -> None:
    first = start(sample(), None, now=NOW)
    before = first.session.to_dict()
    resume(sample(), first.session, Input.press("pick", "report"), now=NOW)
    assert first.session.to_dict() == before


def test_sessions_round_trip_through_json_data() -> None:
    sprint = walk(Input.press("pick", "report"), Input.press("who", "victim"))
    data = sprint.session.to_dict()
    assert Session.from_dict(data) == sprint.session
    assert isinstance(sprint.events[-1], WaitStarted)
    assert not isinstance(sprint.events[-1], ActionRequested)


def test_a_refresh_shows_the_current_question_again_without_a_complaint() -> None:
    sprint = walk(Input.press("pick", "report"), Input.refresh())
    assert said(sprint) == ["Who is reporting?"]
    fresh = resume(sample(), Session(), Input.refresh(), now=NOW)
    assert said(fresh) == ["Hello. I am Standby.", "What would you like to do?"]


def test_a_date_that_may_be_ahead_offers_tomorrow() -> None:
    ahead = flows(
        flow(
            "menu",
            Ask("day", "When?", InputKind.DATE, save="day", allow_future=True, next="then"),
            Ask("then", "Next?", InputKind.TEXT),
            home=True,
        )
    )
    sprint = start(ahead, None, now=NOW)
    question = sprint.events[-2]
    assert isinstance(question, MessageCreated)
    assert [(b.label, b.value) for b in question.buttons] == [
        (texts.TODAY, "today"),
        (texts.TOMORROW, "tomorrow"),
    ]
    wrong = resume(ahead, sprint.session, Input.say("soon"), now=NOW)
    assert said(wrong)[0] == texts.NOT_A_DATE_AHEAD
    right = resume(ahead, sprint.session, Input.press("day", "tomorrow"), now=NOW)
    assert right.session.vars["day"] == "2026-11-22"


def test_back_from_a_menu_the_flow_loops_to_does_not_reenter_the_last_section() -> None:
    hub = flows(
        flow(
            "menu",
            Ask(
                "topic",
                "Which?",
                InputKind.CHOICE,
                save="t",
                next="detail",
                choices=(Choice("One", "one"),),
            ),
            Ask("detail", "Tell me", InputKind.TEXT, next="topic"),
            home=True,
        )
    )
    sprint = start(hub, None, now=NOW)
    sprint = resume(hub, sprint.session, Input.press("topic", "one"), now=NOW)
    sprint = resume(hub, sprint.session, Input.say("something"), now=NOW)
    question = sprint.events[-2]
    assert isinstance(question, MessageCreated)
    assert question.step == "topic"
    assert [b.value for b in question.buttons] == ["one"], "no Back into the last section"


def test_session_data_names_every_field() -> None:
    assert set(Session().to_dict()) == set(Session.__dataclass_fields__)


def test_a_button_from_another_flows_step_of_the_same_name_is_stale() -> None:
    sprint = walk(Input.press("pick", "report"))
    pressed = resume(sample(), sprint.session, Input.press("who", "victim", flow="menu"), now=NOW)
    assert said(pressed)[0] == texts.BUTTON_EXPIRED
    right = resume(sample(), sprint.session, Input.press("who", "victim", flow="report"), now=NOW)
    assert right.session.step == "when"


def test_a_step_removed_by_an_update_restarts_its_flow_with_a_notice() -> None:
    sprint = walk(Input.press("pick", "report"), Input.press("who", "victim"))
    moved = Session.from_dict({**sprint.session.to_dict(), "step": "removed_step"})
    after = resume(sample(), moved, Input.say("today"), now=NOW)
    assert said(after) == [texts.FLOW_CHANGED, "Who is reporting?"]
    gone = Session.from_dict({**moved.to_dict(), "flow": "removed_flow"})
    home = resume(sample(), gone, Input.say("today"), now=NOW)
    assert said(home) == [texts.FLOW_CHANGED, "Hello. I am Standby.", "What would you like to do?"]


def test_regression_goto_back_to_the_menu_then_leaving_ends_everything() -> None:
    """A goto from a called flow used to leave the caller's frame on the stack: after a quick
    exit the menu question came back on the wiped screen."""
    looped = flows(
        flow(
            "menu",
            Ask(
                "choose",
                "Menu?",
                InputKind.CHOICE,
                choices=(
                    Choice("Emergency", "emergency", next="call"),
                    Choice("Leave", "leave", next="leave"),
                ),
            ),
            Call("call", "emergency", next="choose"),
            Goto("leave", "exit"),
            home=True,
            trigger=Trigger(commands=("/menu",)),
        ),
        flow(
            "emergency",
            Ask(
                "next", "Now?", InputKind.CHOICE, choices=(Choice("Menu", "menu", next="to_menu"),)
            ),
            Goto("to_menu", "menu"),
        ),
        flow("exit", Say("bye", "Gone."), trigger=Trigger(commands=("/exit",))),
    )
    sprint = start(looped, None, now=NOW)
    for _ in range(3):
        sprint = resume(looped, sprint.session, Input.press("choose", "emergency"), now=NOW)
        sprint = resume(looped, sprint.session, Input.press("next", "menu"), now=NOW)
    assert sprint.session.stack == []
    left = resume(looped, sprint.session, Input.press("choose", "leave"), now=NOW)
    assert said(left) == ["Gone."]
    assert not left.session.active


def test_regression_today_is_the_day_in_london() -> None:
    """At 00:30 in British Summer Time it is still the previous day in UTC."""
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London
    dated = flows(
        flow(
            "menu",
            Ask("d", "When?", InputKind.DATE, save="d", next="n"),
            Ask("n", "Next?", InputKind.TEXT),
            home=True,
        )
    )
    sprint = resume(
        dated, start(dated, None, now=late).session, Input.press("d", "today"), now=late
    )
    assert sprint.session.vars["d"] == "2026-07-01"


@pytest.mark.parametrize(
    ("typed", "today", "ahead", "expected"),
    [
        ("28/12", date(2026, 1, 2), False, date(2025, 12, 28)),
        ("3/1", date(2026, 12, 30), True, date(2027, 1, 3)),
        ("3/1", date(2026, 12, 30), False, date(2026, 1, 3)),
        ("1/1/99", date(2026, 5, 1), False, date(1999, 1, 1)),
        ("1/1/26", date(2026, 5, 1), False, date(2026, 1, 1)),
        ("29/2", date(2027, 3, 1), False, None),
    ],
)
def test_dates_without_a_year_and_two_digit_years(
    typed: str, today: date, ahead: bool, expected: date | None
) -> None:
    assert parse_date(typed, today, ahead=ahead) == expected


def test_regression_a_typo_keeps_the_picks_made_so_far() -> None:
    kinds = (Choice("Race", "race"), Choice("Religion", "religion"))
    multi = flows(
        flow(
            "menu", Ask("what", "About?", InputKind.CHOICE, choices=kinds, multiple=True), home=True
        )
    )
    sprint = start(multi, None, now=NOW)
    sprint = resume(multi, sprint.session, Input.press("what", "race"), now=NOW)
    sprint = resume(multi, sprint.session, Input.say("rase"), now=NOW)
    assert said(sprint)[0] == texts.PICK_SOME
    assert sprint.session.picked == ["race"]
