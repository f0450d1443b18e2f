"""A broken flow file never replaces the flows that are running."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shutil
from pathlib import Path

import pytest

from bot.services.actions import ACTION_NAMES
from bot.services.library import FlowLibrary, FlowsInvalidError
from bot.services.watch import watch_flows

FLOWS = Path(__file__).resolve().parents[2] / "flows"


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(FLOWS, target)
    return target


def test_a_broken_reload_keeps_the_running_flows(flows_dir: Path) -> None:
    library = FlowLibrary(flows_dir, ACTION_NAMES)
    running = library.current
    (flows_dir / "about.yaml").write_text("spec: 1\nflow: about\nsteps:\n  - id: x\n    sayy: hi\n")
    problems = library.reload()
    assert [str(p) for p in problems if p.severity == "error"] == [
        f"{flows_dir / 'about.yaml'}:5: step 'x': unknown key 'sayy' (did you mean 'say'?)"
    ]
    assert library.current is running


def test_a_good_reload_swaps_the_flows(flows_dir: Path) -> None:
    library = FlowLibrary(flows_dir, ACTION_NAMES)
    about = flows_dir / "about.yaml"
    about.write_text(
        about.read_text().replace(
            "We are an independent community service.", "We are an independent community service!"
        )
    )
    assert [p for p in library.reload() if p.severity != "notice"] == []  # stale helplines
    step = library.current.step("about", "who")
    assert step is not None
    assert "We are an independent community service!" in getattr(step, "text", "")


def test_broken_flows_at_start_are_refused_with_every_problem(flows_dir: Path) -> None:
    (flows_dir / "start.yaml").write_text("spec: 1\nflow: start\nhome: true\nsteps: []\n")
    with pytest.raises(FlowsInvalidError) as refused:
        FlowLibrary(flows_dir, ACTION_NAMES)
    assert refused.value.problems


async def test_changed_files_are_picked_up_by_the_watcher(flows_dir: Path) -> None:
    library = FlowLibrary(flows_dir, ACTION_NAMES)
    watcher = asyncio.create_task(watch_flows(library, every=0.05))
    try:
        about = flows_dir / "about.yaml"
        about.write_text(
            about.read_text().replace("We are an independent community service.", "We are ours.")
        )
        for _ in range(100):
            step = library.current.step("about", "who")
            if "We are ours." in getattr(step, "text", ""):
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the changed flow was not reloaded")
        running = library.current
        about.write_text("spec: 1\nflow: about\n")  # broken: no steps
        await asyncio.sleep(0.3)
        assert library.current is running, "a broken change leaves the running flows"
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def test_the_watcher_survives_the_folder_going_away(
    flows_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    library = FlowLibrary(flows_dir, ACTION_NAMES)
    running = library.current
    watcher = asyncio.create_task(watch_flows(library, every=0.05))
    try:
        shutil.rmtree(flows_dir)  # a deploy swapping the folder, say
        await asyncio.sleep(0.3)
        assert not watcher.done(), "the watcher keeps going"
        assert library.current is running
        shutil.copytree(FLOWS, flows_dir)
        (flows_dir / "about.yaml").write_text(
            (FLOWS / "about.yaml")
            .read_text()
            .replace("We are an independent community service.", "Back again.")
        )
        for _ in range(100):
            if "Back again." in getattr(library.current.step("about", "who"), "text", ""):
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("flows were not reloaded once the folder came back")
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


def test_helplines_not_checked_for_months_are_one_line_at_start(
    flows_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every start used to greet the operator with a line per stale helpline (22 of them);
    the details are for `standby flows check`."""
    directory = flows_dir / "data" / "helplines.yaml"
    text = directory.read_text(encoding="utf-8")
    stale = re.sub(r"last_checked: \d{4}-\d{2}-\d{2}", "last_checked: 2024-01-01", text)
    directory.write_text(stale, encoding="utf-8")
    entries = stale.count("\n  - id: ")

    with caplog.at_level(logging.INFO, logger="bot.services.library"):
        FlowLibrary(flows_dir, ACTION_NAMES)

    said = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert said == [f"{entries} helplines not checked for six months: see `standby flows check`"]
