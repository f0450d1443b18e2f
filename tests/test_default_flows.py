"""The default flows as shipped in flows/: things people rely on in any language."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.triggers import match_trigger
from bot.flowdef import load_flows
from bot.services.actions import ACTION_NAMES

FLOWS = Path(__file__).resolve().parents[1] / "flows"


EMERGENCY_WORDS = (
    *("999", "٩٩٩", "۹۹۹", "৯৯৯", "Emergency", "help me"),
    *("طوارئ", "ایمرجنسی", "জরুরি", "İmdat", "اورژانس", "Pomocy!", "gurmad"),
    *("میری مدد کریں", "کمکم کنید", "I caawi"),
)


@pytest.mark.parametrize("typed", EMERGENCY_WORDS)
def test_emergency_words_in_every_language_open_the_emergency_flow(typed: str) -> None:
    flows = load_flows(FLOWS, known_actions=ACTION_NAMES).flows
    assert flows is not None

    found = match_trigger(flows, typed)

    assert found is not None
    assert found.flow == "emergency"
