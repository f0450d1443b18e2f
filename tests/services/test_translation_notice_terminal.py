"""The machine-translation notice in the terminal, as `standby chat` and golden transcripts
show it: the real flows, storage and catalogs through `TerminalScreen`."""

from __future__ import annotations

import re
from pathlib import Path

from bot.i18n import translator_for
from bot.i18n.notice import MACHINE_TRANSLATION
from tests.golden_transcripts import LOCALES, Script, replay

FLOWS = Path(__file__).resolve().parents[2] / "flows"
ENGLISH_BUTTON = re.compile(r"\[(\d+)\] English$", re.MULTILINE)


async def arabic(inputs: list[str], database: Path) -> str:
    script = Script(["# language=ar"], inputs, "ar")
    translator = translator_for("ar", LOCALES)
    return await replay(script, FLOWS, database, language="ar", translator=translator)


async def test_the_notice_comes_first_numbered_after_the_question(tmp_path: Path) -> None:
    shown = await arabic(["hello", "/start"], tmp_path / "first.db")

    first, second = shown.split("\n> /start\n")
    notice = translator_for("ar", LOCALES).gettext(MACHINE_TRANSLATION)
    assert first.split("\n")[2] == f"Standby: {notice}", "before the turn's other messages"
    button = ENGLISH_BUTTON.search(first)
    assert button is not None
    question_buttons = re.findall(r"\[(\d+)\]", first[button.end() :])
    assert question_buttons[0] == "1", "the question's numbers do not move"
    assert int(button[1]) == len(question_buttons) + 1
    assert notice not in second, "once"


async def test_its_number_switches_to_english_and_shows_the_question_again(
    tmp_path: Path,
) -> None:
    first = await arabic(["hello"], tmp_path / "first.db")
    button = ENGLISH_BUTTON.search(first)
    assert button is not None

    shown = await arabic(["hello", button[1], "/start"], tmp_path / "second.db")

    after = shown.split(f"\n> {button[1]}\n")[1]
    assert after.startswith("Standby: Are you safe right now?\n  [1] Yes, I am safe")
    assert "Hello. I am Standby" in after.split("\n> /start\n")[1], "English from now on"
