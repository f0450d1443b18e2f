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
        ("کمکم  کنید؟", "کمکم کنید"),
    ],
)
def test_typed_words_are_folded(typed: str, folded: str) -> None:
    assert normalise_words(typed) == folded
