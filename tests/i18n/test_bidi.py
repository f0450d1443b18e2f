"""Right-to-left languages: numbers, postcodes, times and links stay left to right."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.adapters.render import render_message
from bot.adapters.telegram.text import split_text
from bot.engine import Button, MessageCreated
from bot.i18n.bidi import LRI, PDI, RLM, for_right_to_left, isolate_left_to_right


def shown(text: str) -> str:
    """Isolates as brackets, so expectations are readable."""
    return text.replace(LRI, "[").replace(PDI, "]").replace(RLM, "<RLM>")


@pytest.mark.parametrize(
    ("text", "isolated"),
    [
        ("اتصل بالرقم 0800 138 1625 الآن.", "اتصل بالرقم [0800 138 1625] الآن."),
        ("اتصل بـ 999 أو 112.", "اتصل بـ [999] أو [112]."),
        (
            "الرقم +44 20 7946 0000 أو (020) 7946 0000",
            "الرقم [+44 20 7946 0000] أو [(020) 7946 0000]",
        ),
        ("الرمز البريدي SW1A 1AA هنا", "الرمز البريدي [SW1A 1AA] هنا"),
        ("مفتوح 9:00 - 17:00 يوميًا", "مفتوح [9:00 - 17:00] يوميًا"),
        ("من 9am إلى 5pm", "من [9am] إلى [5pm]"),
        (
            "زوروا https://www.stophateuk.org/report، شكرًا",
            "زوروا [https://www.stophateuk.org/report]، شكرًا",
        ),
        ("أو stophateuk.org.", "أو [stophateuk.org]."),
        ("راسلونا على help@example.org.uk.", "راسلونا على [help@example.org.uk]."),
        ("التاريخ 21/11/2026", "التاريخ 21/11/2026"),  # a date lays itself out
    ],
)
def test_left_to_right_runs_are_isolated(text: str, isolated: str) -> None:
    assert shown(isolate_left_to_right(text)) == isolated


def test_isolating_twice_changes_nothing() -> None:
    once = isolate_left_to_right("اتصل بالرقم 0800 138 1625")

    assert isolate_left_to_right(once) == once


def test_a_right_to_left_line_starting_with_a_latin_word_gets_a_mark() -> None:
    text = "Standby خدمة مجتمعية مستقلة.\nStandby is a community service."

    assert shown(for_right_to_left(text)) == (
        "<RLM>Standby خدمة مجتمعية مستقلة.\nStandby is a community service."
    )


@dataclass(frozen=True)
class Catalog:
    """A translator that knows one Arabic sentence and one button."""

    language: str

    def gettext(self, message: str) -> str:
        arabic = {"Call {phone}.": "اتصل على {phone}.", "Call 999": "اتصل بـ 999"}
        return arabic.get(message, message) if self.language == "ar" else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


def test_values_and_buttons_are_isolated_in_arabic() -> None:
    message = MessageCreated(
        "Call {phone}.", {"phone": "0800 138 1625"}, (Button("Call 999", "q", "call"),), "q"
    )

    out = render_message(message, Catalog("ar"))

    assert shown(out.text) == "اتصل على [0800 138 1625]."
    assert shown(out.buttons[0].text) == "اتصل بـ [999]"


@pytest.mark.parametrize("language", ["en", "pl"])
def test_left_to_right_languages_are_left_as_they_are(language: str) -> None:
    message = MessageCreated(
        "Call {phone}.", {"phone": "0800 138 1625"}, (Button("Call 999", "q", "call"),), "q"
    )

    out = render_message(message, Catalog(language))

    assert out.text == "Call 0800 138 1625."
    assert out.buttons[0].text == "Call 999"


def test_a_london_number_with_its_trunk_zero_is_one_unit() -> None:
    assert isolate_left_to_right("اتصلوا +44 (0)20 7946 0000 الآن") == (
        f"اتصلوا {LRI}+44 (0)20 7946 0000{PDI} الآن"
    )


@pytest.mark.parametrize("limit", range(3990, 4010))
def test_splitting_a_long_message_never_cuts_a_number_in_two(limit: int) -> None:
    numbers = isolate_left_to_right("0800 138 1625 0800 138 1625 0800 138 1625")
    text = "كلمة " * 790 + numbers + " كلمة" * 300

    parts = split_text(text, limit)

    assert all(part.count(LRI) == part.count(PDI) for part in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")
