"""The ways out and the ways to help, on the default flows: emergency words in every
language Standby speaks, the emergency button, Back after an interruption, a quiet start
after a quick exit, and changing one answer of a report (revisit)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.engine import (
    ActionRequested,
    ActionResult,
    ButtonRole,
    Input,
    MessageCreated,
    Session,
    Sprint,
    WaitStarted,
    resume,
    start,
)
from bot.engine.answers import BACK, EMERGENCY
from tests.default_flows import CALL_999, load_default_flows

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
FLOWS = load_default_flows()


def waiting(sprint: Sprint) -> WaitStarted:
    waits = [event for event in sprint.events if isinstance(event, WaitStarted)]
    assert waits, sprint.events
    return waits[-1]


def texts(sprint: Sprint) -> list[str]:
    return [event.text for event in sprint.events if isinstance(event, MessageCreated)]


def go(session: Session, given: Input | ActionResult) -> Sprint:
    """Resume, answering every action as the services would in a plain way."""
    sprint = resume(FLOWS, session, given, now=NOW)
    events = list(sprint.events)
    while sprint.action is not None:
        sprint = resume(FLOWS, sprint.session, _answer(sprint.action), now=NOW)
        events += sprint.events
    return Sprint(sprint.session, tuple(events))


def _answer(request: ActionRequested) -> ActionResult:
    if request.name == "keep_area_private":
        return ActionResult(values={"area": request.params.get("text"), "area_trimmed": "no"})
    if request.name == "privacy_facts":
        return ActionResult(values={"retention_months": 12})
    return ActionResult(values={})


def in_report_at_story() -> Sprint:
    """A report begun and answered up to "In your own words"."""
    sprint = start(FLOWS, None, now=NOW, flow="report")
    for given in [
        Input.press("ready", "start", "report"),
        Input.press("who", "victim", "report"),
        Input.press("about", "race", "report"),
        Input.press("about", "~done", "report"),
        Input.press("what", "threats", "report"),
        Input.press("what", "~done", "report"),
        Input.press("date", "~skip", "report"),
        Input.press("time_of_day", "~skip", "report"),
        Input.press("place", "home", "report"),
        Input.press("nation", "wales", "report"),
        Input.say("Cardiff"),
    ]:
        sprint = go(sprint.session, given)
    assert waiting(sprint).step == "story"
    return sprint


# Each language's "help" (and the Arabic-keyboard forms of Persian and Urdu words).
HELP_WORDS = {
    "en": ["help", "Help me!", "EMERGENCY", "hlep"],
    "ar": ["ساعدني", "النجدة", "مساعدة"],
    "ur": ["مدد", "میری مدد کریں", "ميري مدد كريں"],
    "bn": ["সাহায্য", "বাঁচাও"],
    "tr": ["yardım", "YARDIM", "imdat", "İMDAT"],
    "fa": ["کمک", "كمك", "کمکم کنید"],
    "pl": ["pomocy", "pomóż mi", "pomoz mi", "ratunku"],
    "so": ["caawimaad", "i caawi"],
}
WORDS = [(language, word) for language, words in HELP_WORDS.items() for word in words]


@pytest.mark.parametrize(("language", "word"), WORDS, ids=[f"{lang}-{w}" for lang, w in WORDS])
def test_help_in_every_language_brings_the_emergency_numbers(language: str, word: str) -> None:
    sprint = go(in_report_at_story().session, Input.say(word))
    assert any(text.startswith(CALL_999) for text in texts(sprint))
    assert waiting(sprint).flow == "emergency"


def test_the_emergency_button_returns_to_the_question_with_its_back_button() -> None:
    at_story = in_report_at_story()
    sprint = go(at_story.session, Input.press("story", EMERGENCY, "report"))
    assert CALL_999 in texts(sprint)[0]
    sprint = go(sprint.session, Input.press("next", "back", "emergency"))
    again = [e for e in sprint.events if isinstance(e, MessageCreated) and e.step == "story"]
    roles = [button.role for button in again[-1].buttons]
    assert ButtonRole.BACK in roles
    sprint = go(sprint.session, Input.press("story", BACK, "report"))
    assert waiting(sprint).step == "area"


def test_back_still_works_after_an_emergency_word() -> None:
    sprint = go(in_report_at_story().session, Input.say("999"))
    sprint = go(sprint.session, Input.press("next", "back", "emergency"))
    assert waiting(sprint).step == "story"
    sprint = go(sprint.session, Input.press("story", BACK, "report"))
    assert waiting(sprint).step == "area"


def test_after_a_quick_exit_the_next_message_starts_quietly() -> None:
    sprint = go(in_report_at_story().session, Input.press("story", "~exit", "report"))
    assert sprint.session.quiet
    later = go(sprint.session, Input.say("hello"))
    assert waiting(later).flow == "quiet"
    said = " ".join(texts(later))
    assert "I am here for people who face hate" not in said
    # /start still does what it says, and the quiet start is used once.
    welcomed = go(sprint.session, Input.say("/start"))
    assert "I am here for people who face hate" in " ".join(texts(welcomed))
    assert not welcomed.session.quiet


def test_changing_one_answer_asks_only_that_part_then_shows_the_summary() -> None:
    sprint = in_report_at_story()
    for step in ["story", "people", "known", "witnesses", "repeat", "evidence", "impact"]:
        assert waiting(sprint).step == step
        sprint = go(sprint.session, Input.press(step, "~skip", "report"))
    for step in ["told_police", "support"]:
        sprint = go(sprint.session, Input.press(step, "~skip", "report"))
    sprint = go(sprint.session, Input.press("contact", "anonymous", "report"))
    sprint = go(sprint.session, Input.press("consent", "keep", "report"))
    assert waiting(sprint).step == "confirm"
    sprint = go(sprint.session, Input.press("confirm", "change", "report"))
    # "Where it happened" runs place, nation and area (with its action), then the summary.
    sprint = go(sprint.session, Input.press("change_which", "where", "report"))
    assert waiting(sprint).step == "place"
    sprint = go(sprint.session, Input.press("place", "work", "report"))
    sprint = go(sprint.session, Input.press("nation", "scotland", "report"))
    sprint = go(sprint.session, Input.say("Glasgow"))
    assert waiting(sprint).step == "confirm"
    summary = next(t for t in texts(sprint) if t.startswith("Here are your answers"))
    assert summary  # the summary is shown again, then the question "Is this right?"
    assert sprint.session.vars["nation"] == "scotland"
    assert sprint.session.vars["area"] == "Glasgow"
    assert sprint.session.revisit is None
    # One question alone: "Your own words" comes straight back.
    sprint = go(sprint.session, Input.press("confirm", "change", "report"))
    sprint = go(sprint.session, Input.press("change_which", "story", "report"))
    sprint = go(sprint.session, Input.say("They shouted at me."))
    assert waiting(sprint).step == "confirm"
    assert sprint.session.vars["story"] == "They shouted at me."
