"""`standby flows check` time for 50 flows of 200 steps each.

    .venv/bin/python -m bench.flows_check

Generates the flows in a temporary folder (questions with buttons, typed answers,
branches, placeholders and calls, so every check has work to do), then times the load
and checks, best of 5. Printed beside it: plain YAML parsing of the same files, the floor.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.flowdef import load_flows

FLOWS = 50
STEPS = 200
ROUNDS = 5


def flow_text(index: int) -> str:
    lines = [
        "spec: 1",
        f"flow: f{index}",
        f"home: {'true' if index == 0 else 'false'}",
        "triggers:",
        f"  commands: [/f{index}]",
        "steps:",
    ]
    for step in range(STEPS):
        following = f"s{step + 1}" if step + 1 < STEPS else "done"
        if step % 4 == 0:
            lines += [
                f"  - id: s{step}",
                "    ask: Which one?",
                "    save: pick",
                "    choices:",
                f"      - {{label: First, value: a, next: {following}}}",
                f"      - {{label: Second, value: b, next: {following}}}",
            ]
        elif step % 4 == 1:
            lines += [f"  - id: s{step}", "    ask: Where?", "    input: text", "    save: area"]
        elif step % 4 == 2:
            lines += [
                f"  - id: s{step}",
                "    check: pick",
                f"    cases: {{a: {following}}}",
                f"    otherwise: {following}",
            ]
        else:
            lines += [f"  - id: s{step}", "    say: You chose {pick} in {area}."]
    lines += ["  - id: done", "    end: true"]
    return "\n".join(lines) + "\n"


def best_of(work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        for index in range(FLOWS):
            (directory / f"f{index}.yaml").write_text(flow_text(index))
        result = load_flows(directory, known_actions=())
        errors = [p for p in result.problems if p.severity == "error"]
        assert not errors, errors[:3]
        files = sorted(directory.glob("*.yaml"))
        checked = best_of(lambda: load_flows(directory, known_actions=()))
        parsed = best_of(lambda: [yaml.load(f.read_text(), Loader=yaml.CSafeLoader) for f in files])
    print(f"flows check, {FLOWS} flows x {STEPS} steps, best of {ROUNDS}:")
    print(f"  load + every check   {checked * 1000:>8.0f} ms")
    print(f"  plain YAML parse     {parsed * 1000:>8.0f} ms  (the floor)")
    print(f"  ratio check / parse: {checked / parsed:.1f}")


if __name__ == "__main__":
    main()
