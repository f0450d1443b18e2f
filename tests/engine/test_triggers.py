"""Trigger words are matched after folding case, width, punctuation and spacing, and a
typed answer that is one of the question's buttons wins over a trigger word."""

from __future__ import annotations

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
    Sprint,
    Trigger,
    resume,
    start,
)
from bot.engine.triggers import normalise_words
from tests.engine.builders import NOW, flow, flows


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Emergency!", "emergency"),
        ("  help   ME ", "help me"),
        ("İMDAT", "imdat"),  # Turkish dotted capital I
        ("ＳＯＳ", "sos"),  # full-width letters
        ("ساعدوني!", "ساعدوني"),
        ("کمکم  کنید؟", "كمكم كنيد"),  # Persian keheh and yeh as Arabic kaf and yeh
        ("كمكم كنيد", "كمكم كنيد"),  # the same words typed on an Arabic keyboard
        ("النجدة", "النجده"),  # teh marbuta
        ("أنقذوني", "انقذوني"),  # hamza on alef
        ("سَاعِدْنِي", "ساعدني"),  # vowel signs
        ("ساعـــدني", "ساعدني"),  # tatweel
        ("٩٩٩", "999"),  # Arabic-Indic digits
        ("۹۹۹", "999"),  # Persian digits
        ("৯৯৯", "999"),  # Bengali digits
        ("pomóż mi", "pomoz mi"),
        ("yardım", "yardim"),  # Turkish dotless i
        ("YARDIM", "yardim"),
        ("بچاؤ", "بچاو"),  # hamza on waw is a mark too
        ("বাঁচাও", "বাঁচাও"),  # Bengali's candrabindu stays: it is part of the word
        ("میری مدد کریں", "ميري مدد كريں"),
    ],
)
def test_typed_words_are_folded(typed: str, folded: str) -> None:
    assert normalise_words(typed) == folded


def _menu_with_a_trigger_word_as_a_label() -> Flows:
    """A menu whose button is called "Emergency", beside a flow triggered by that word."""
    menu = flow(
        "menu",
        Ask(
            "pick",
            "What would you like to do?",
            InputKind.CHOICE,
            save="choice",
            choices=(
                Choice("Emergency", "urgent", next="chosen"),
                Choice("Tell us where", "where", next="area"),
            ),
        ),
        End("chosen", "You chose the button."),
        Ask("area", "Which town?", InputKind.TEXT, save="area", next="thanks"),
        End("thanks", "Thank you."),
        home=True,
        trigger=Trigger(commands=("/start",)),
    )
    emergency = flow(
        "emergency",
        Say("call", "If you are in danger now, call 999."),
        trigger=Trigger(words=("emergency", "999"), returns=True),
    )
    return flows(menu, emergency)


def _said(sprint: Sprint) -> list[str]:
    return [event.text for event in sprint.events if isinstance(event, MessageCreated)]


def test_a_typed_label_answers_its_question_rather_than_triggering() -> None:
    library = _menu_with_a_trigger_word_as_a_label()
    at_menu = start(library, None, now=NOW)
    assert _said(resume(library, at_menu.session, Input.say("EMERGENCY"), now=NOW)) == [
        "You chose the button."
    ]


def test_a_trigger_word_that_is_no_button_still_interrupts_a_menu() -> None:
    library = _menu_with_a_trigger_word_as_a_label()
    at_menu = start(library, None, now=NOW)
    said = _said(resume(library, at_menu.session, Input.say("999"), now=NOW))
    assert said[0] == "If you are in danger now, call 999."
    assert said[-1] == "What would you like to do?", "and the menu again"


def test_a_trigger_word_wins_over_a_typed_answer() -> None:
    library = _menu_with_a_trigger_word_as_a_label()
    at_menu = start(library, None, now=NOW)
    at_area = resume(library, at_menu.session, Input.say("2"), now=NOW)
    said = _said(resume(library, at_area.session, Input.say("Emergency!"), now=NOW))
    assert said == ["If you are in danger now, call 999.", "Which town?"]
