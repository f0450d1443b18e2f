"""Golden transcripts of every flow in flows/ (regenerate with --update-golden)."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.i18n import translator_for
from tests.golden_transcripts import Script, read_script, replay

ROOT = Path(__file__).resolve().parents[1]
FLOWS = ROOT / "flows"
LOCALES = ROOT / "locales"
GOLDEN = Path(__file__).parent / "golden"
TRANSCRIPTS = sorted(GOLDEN.glob("*.txt"))
SESSIONS = "SELECT data FROM conversation_session"


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(path: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    script = read_script(path)
    language = script.language
    translator = translator_for(language, LOCALES) if language else None
    produced = asyncio.run(
        replay(script, FLOWS, tmp_path / "golden.db", language=language, translator=translator)
    )
    if request.config.getoption("--update-golden"):
        path.write_text(produced, encoding="utf-8")
    assert produced == path.read_text(encoding="utf-8")


def test_every_flow_has_a_transcript() -> None:
    flows = {p.stem for p in FLOWS.glob("*.yaml")}
    covered = {p.stem.split(".")[0] for p in TRANSCRIPTS}
    assert flows <= covered, f"flows without a golden transcript: {sorted(flows - covered)}"


def test_helplines_fallback_without_a_directory(tmp_path: Path) -> None:
    """When `find_helplines` fails (here: no helpline directory), the helplines flow and
    the end of a report still give the lines that are always there."""
    flows = tmp_path / "flows"
    flows.mkdir()
    for path in FLOWS.glob("*.yaml"):
        shutil.copy(path, flows / path.name)
    fallback = "I could not look up the helplines just now. These are always there:"
    helplines = Script([], ["/helplines", "1", "1"])
    produced = asyncio.run(replay(helplines, flows, tmp_path / "helplines.db"))
    assert fallback in produced
    assert "Samaritans, if you need to talk to someone: 116 123." in produced
    report = read_script(GOLDEN / "report.scotland.txt")
    produced = asyncio.run(replay(report, flows, tmp_path / "report.db"))
    assert "If you want to tell the police in Scotland:" in produced
    assert fallback in produced


@pytest.mark.parametrize("name", ["report", "report.scotland", "myreport"])
def test_nothing_of_a_report_stays_in_the_session_after_it(name: str, tmp_path: Path) -> None:
    """A report called from the menu used to leave its answers and its code, in clear,
    in the session (a called flow's variables outlive it) until the menu expired."""
    script = read_script(GOLDEN / f"{name}.txt")
    database = tmp_path / "golden.db"
    asyncio.run(replay(script, FLOWS, database))

    with sqlite3.connect(database) as connection:
        stored = [json.loads(data) for (data,) in connection.execute(SESSIONS)]
    left = {
        name: value
        for session in stored
        for name, value in session.get("vars", {}).items()
        if value not in (None, [], "")
    }
    assert left == {}
    assert [session["labels"] for session in stored] == [{}]  # the chosen buttons' words too
