"""Small flows built in Python, so engine tests don't depend on the YAML loader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.engine import Ask, Call, Check, Choice, End, Flow, Flows, InputKind, Say, Step, Trigger
from bot.engine.model import Action

NOW = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)


def flow(
    flow_id: str,
    *steps: Step,
    home: bool = False,
    trigger: Trigger | None = None,
    expires_after: timedelta = timedelta(minutes=30),
) -> Flow:
    return Flow(
        id=flow_id,
        steps={step.id: step for step in steps},
        start=steps[0].id,
        home=home,
        trigger=trigger,
        expires_after=expires_after,
    )


def flows(*items: Flow, quick_exit: str | None = None) -> Flows:
    home = next(item.id for item in items if item.home)
    return Flows(by_id={item.id: item for item in items}, home=home, quick_exit=quick_exit)


def sample() -> Flows:
    """A menu, a short report flow, an emergency flow reachable from anywhere."""
    menu = flow(
        "menu",
        Say("hello", "Hello. I am Standby.", next="pick"),
        Ask(
            "pick",
            "What would you like to do?",
            InputKind.CHOICE,
            save="choice",
            choices=(
                Choice("Report something", "report", next="go_report"),
                Choice("Find help", "help", next="bye"),
            ),
        ),
        Call("go_report", "report", next="bye"),
        End("bye", "Take care."),
        home=True,
        trigger=Trigger(commands=("/start", "/menu")),
    )
    report = flow(
        "report",
        Ask(
            "who",
            "Who is reporting?",
            InputKind.CHOICE,
            save="who",
            next="when",
            choices=(Choice("I was targeted", "victim"), Choice("I saw it", "witness")),
        ),
        Ask("when", "When did it happen?", InputKind.DATE, save="when", next="area"),
        Ask("area", "Which town?", InputKind.TEXT, save="area", max_length=40, next="route"),
        Check("route", "who", (("victim", "sorry"),), otherwise="thanks"),
        Say("sorry", "I'm sorry this happened to you in {area}.", next="send"),
        Say("thanks", "Thank you for speaking up about {area}.", next="send"),
        Action(
            "send",
            "submit_report",
            {"who": "{who}", "where": "in {area}"},
            ("reference",),
            next="done",
        ),
        Say("done", "Your reference is {reference}. You said: {who}, {when}."),
    )
    emergency = flow(
        "emergency",
        Say("call", "If you are in danger now, call 999."),
        trigger=Trigger(words=("emergency", "999"), returns=True),
    )
    return flows(menu, report, emergency)
