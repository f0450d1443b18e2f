"""Golden transcripts of every flow in flows/ (regenerate with --update-golden)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.golden_transcripts import read_script, replay

ROOT = Path(__file__).resolve().parents[1]
FLOWS = ROOT / "flows"
GOLDEN = Path(__file__).parent / "golden"
TRANSCRIPTS = sorted(GOLDEN.glob("*.txt"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(path: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    produced = asyncio.run(replay(read_script(path), FLOWS, tmp_path / "golden.db"))
    if request.config.getoption("--update-golden"):
        path.write_text(produced, encoding="utf-8")
    assert produced == path.read_text(encoding="utf-8")


def test_every_flow_has_a_transcript() -> None:
    flows = {p.stem for p in FLOWS.glob("*.yaml")}
    covered = {p.stem.split(".")[0] for p in TRANSCRIPTS}
    assert flows <= covered, f"flows without a golden transcript: {sorted(flows - covered)}"
