"""A good directory loads into the engine's model with every default made explicit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.engine import (
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
    MessageCreated,
    Say,
    Trigger,
    start,
)
from bot.flowdef import load_flow_text, load_flows

GOOD = Path(__file__).parent / "fixtures" / "good"
ACTIONS = frozenset({"submit_report"})


def _source(name: str) -> str:
    return str(GOOD / name)


HOME = Flow(
    id="home",
    title="Main menu",
    home=True,
    expires_after=timedelta(minutes=30),
    start="intro",
    source=_source("home.yaml"),
    steps={
        "intro": Say("intro", "Hello. I am here to help.", next="menu"),
        "menu": Ask(
            "menu",
            "What would you like to do?",
            InputKind.CHOICE,
            next="area",
            save="choice",
            choices=(
                Choice("Report a hate incident", "report"),
                Choice("Find help", "find_help"),
            ),
            retry="Please press one of the buttons.",
        ),
        "area": Ask(
            "area",
            "Which town or city are you in?",
            InputKind.TEXT,
            next="route",
            save="area",
            max_length=100,
        ),
        "route": Check("route", "choice", (("find_help", "find"),), otherwise="report"),
        "report": Goto("report", "report"),
        "find": Call("find", "helplines", next="bye"),
        "bye": End("bye", "Take care in {area}."),
    },
)

REPORT = Flow(
    id="report",
    title="Report a hate incident",
    needs=("area",),
    start="who",
    source=_source("report.yaml"),
    steps={
        "who": Ask(
            "who",
            "Who is reporting?",
            InputKind.CHOICE,
            next="victim_note",
            save="reporter",
            choices=(
                Choice("I was targeted", "victim"),
                Choice("I saw it happen", "i_saw_it_happen", next="what"),
            ),
        ),
        "victim_note": Say("victim_note", "I am sorry this happened to you.", next="what"),
        "what": Ask("what", "What happened in {area}?", InputKind.TEXT, next="count", save="what"),
        "count": Ask(
            "count",
            "How many people were involved?",
            InputKind.NUMBER,
            next="when",
            save="people",
            optional=True,
            min=1,
            max=100,
        ),
        "when": Ask("when", "When did it happen?", InputKind.DATE, next="evidence", save="when"),
        "evidence": Ask(
            "evidence",
            "Please send any photos you have, then press Done.",
            InputKind.PHOTO,
            next="police",
            save="photos",
            multiple=True,
            optional=True,
        ),
        "police": Ask(
            "police",
            "Shall we pass your report to the police?",
            InputKind.YES_NO,
            next="send",
            save="consent",
        ),
        "send": Action(
            "send",
            "submit_report",
            {"summary": "{what}", "place": "{area}"},
            save=("reference",),
            next="thanks",
            on_error="sorry",
        ),
        "thanks": End("thanks", "Thank you. Your reference is {reference}."),
        "sorry": End("sorry", "Sorry, something went wrong on our side. Please try again later."),
    },
)

HELP = Flow(
    id="help",
    start="info",
    source=_source("help.yml"),
    trigger=Trigger(commands=("/help",), words=("help", "999"), returns=True),
    steps={"info": Say("info", "If you are in danger now, call 999.")},
)

HELPLINES = Flow(
    id="helplines",
    start="list",
    source=_source("helplines.yaml"),
    steps={
        "list": Say("list", "Stop Hate UK: 0800 138 1625.", next="done"),
        "done": End("done"),
    },
)


def test_a_good_directory_loads_into_the_engine_model() -> None:
    result = load_flows(GOOD, known_actions=ACTIONS)

    assert result.problems == []
    assert result.flows == Flows(
        by_id={"help": HELP, "helplines": HELPLINES, "home": HOME, "report": REPORT},
        home="home",
    )


def test_steps_keep_the_order_of_the_file() -> None:
    result = load_flows(GOOD, known_actions=ACTIONS)

    assert result.flows is not None
    assert list(result.flows.by_id["home"].steps) == list(HOME.steps)


def test_the_engine_runs_a_loaded_flow() -> None:
    result = load_flows(GOOD, known_actions=ACTIONS)
    assert result.flows is not None

    sprint = start(result.flows, None, now=datetime(2026, 1, 1, tzinfo=UTC))

    texts = [event.text for event in sprint.events if isinstance(event, MessageCreated)]
    assert texts == ["Hello. I am here to help.", "What would you like to do?"]


def test_the_example_in_the_volunteer_guide_is_a_correct_flow() -> None:
    guide = (Path(__file__).parents[2] / "docs" / "flows.md").read_text(encoding="utf-8")
    example = guide.split("```yaml\n", 1)[1].split("```", 1)[0]

    result = load_flow_text(example, "docs/flows.md", known_actions=ACTIONS)

    assert result.problems == []
    assert result.flows is not None
    assert list(result.flows.by_id["report"].steps)[:3] == ["intro", "who", "what"]
