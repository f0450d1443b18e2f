"""Rendering events for people: translation first, then values, then keyboards."""

from __future__ import annotations

import pytest

from bot.adapters.render import SourceText, render_message, show_value
from bot.engine import Button, ButtonRole, Label, MessageCreated, Value

PHOTO = {"kind": "photo", "file_id": "x"}
WELSH = {
    "You said {who}.": "Dywedoch chi {who}.",
    "A witness": "Tyst",
    "In {area}.": "Yn {ardal}.",
}


class Catalog:
    """A small catalog: translated texts, including one whose placeholder was renamed."""

    language = "cy"

    def gettext(self, message: str) -> str:
        return WELSH.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


class Polish:
    """Polish plural forms for photos (one, few, many); dates in Polish."""

    language = "pl"

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if singular != "{count} photo":
            return singular if n == 1 else plural
        if n == 1:
            return "{count} zdjęcie"
        few = 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14
        return "{count} zdjęcia" if few else "{count} zdjęć"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "not given"),
        ("2026-11-28", "28 November 2026"),
        ("2026-02-30", "2026-02-30"),
        (["race", "religion"], "race, religion"),
        ({"kind": "photo", "file_id": "x"}, "a photo"),
        ({"kind": "document", "file_id": "y"}, "a file"),
        (True, "true"),
        (3, "3"),
        (Label(("A witness", "Online")), "A witness, Online"),
        ([{"kind": "photo", "file_id": "x"}], "1 photo"),
        ([PHOTO, PHOTO, {"kind": "document", "file_id": "y"}], "2 photos, 1 file"),
    ],
)
def test_values_are_shown_plainly(value: Value | Label, shown: str) -> None:
    assert show_value(value, SourceText()) == shown


def test_translation_comes_first_then_values_then_labels() -> None:
    message = MessageCreated("You said {who}.", {"who": Label(("A witness",))})
    assert render_message(message, Catalog()).text == "Dywedoch chi Tyst."


def test_a_broken_translation_falls_back_to_the_english_source() -> None:
    message = MessageCreated("In {area}.", {"area": "Leeds"})
    assert render_message(message, Catalog()).text == "In Leeds."


def test_short_choices_pair_up_and_system_buttons_sit_last() -> None:
    buttons = (
        Button("Yes", "q", "yes"),
        Button("No", "q", "no"),
        Button("Maybe", "q", "maybe", selected=True),
        Button("Back", "q", "~back", ButtonRole.BACK),
    )
    out = render_message(MessageCreated("?", {}, buttons, "q"), SourceText())
    assert [[b.text for b in row] for row in out.rows] == [["Yes", "No"], ["✓ Maybe"], ["Back"]]
    assert out.question == "q"


@pytest.mark.parametrize(
    ("count", "shown"), [(1, "1 zdjęcie"), (3, "3 zdjęcia"), (5, "5 zdjęć"), (22, "22 zdjęcia")]
)
def test_several_photos_are_counted_in_the_language_s_plural_form(count: int, shown: str) -> None:
    assert show_value([PHOTO] * count, Polish()) == shown


def test_dates_are_shown_in_the_person_s_language() -> None:
    assert show_value("2026-11-28", Polish()) == "28 listopada 2026"
