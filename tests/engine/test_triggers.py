"""Trigger words are matched after folding case, width, punctuation and spacing."""

from __future__ import annotations

import pytest

from bot.engine.triggers import normalise_words


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
