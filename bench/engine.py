"""Engine speed on a 1,000-step flow: how many steps a second one core runs.

    .venv/bin/python -m bench.engine

The flow alternates a message and a typed question (500 of each); one person answers
every question. Printed beside it, in the same run: the same walk with the session
round-tripped through JSON each turn (what storage adds per update, without the I/O).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from bot.engine import Ask, Flow, Flows, Input, InputKind, Say, Session, Step, resume, start

STEPS = 1_000
ROUNDS = 20
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def long_flow() -> Flows:
    steps: list[Step] = []
    for index in range(0, STEPS, 2):
        text = "You said {n}." if index else "A long flow begins."
        steps.append(Say(f"s{index}", text, next=f"s{index + 1}"))
        following = f"s{index + 2}" if index + 2 < STEPS else None
        steps.append(Ask(f"s{index + 1}", "What next?", InputKind.TEXT, save="n", next=following))
    flow = Flow("long", {s.id: s for s in steps}, "s0", home=True, needs=())
    return Flows({"long": flow}, "long")


def walk(flows: Flows, *, through_json: bool) -> int:
    session = start(flows, None, now=NOW).session
    answers = 0
    while session.active:
        if through_json:
            session = Session.from_dict(json.loads(json.dumps(session.to_dict())))
        sprint = resume(flows, session, Input.say(str(answers)), now=NOW)
        session = sprint.session
        answers += 1
    assert answers == STEPS // 2, "the walk must reach the end of the flow"
    return answers


def measure(flows: Flows, *, through_json: bool) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        began = time.perf_counter()
        walk(flows, through_json=through_json)
        best = min(best, time.perf_counter() - began)
    return STEPS / best


def main() -> None:
    flows = long_flow()
    bare = measure(flows, through_json=False)
    with_json = measure(flows, through_json=True)
    print(f"engine, {STEPS}-step flow, best of {ROUNDS}:")
    print(f"  engine alone          {bare:>10,.0f} steps/s  ({1e6 / bare:.1f} µs/step)")
    print(f"  engine + JSON session {with_json:>10,.0f} steps/s  ({1e6 / with_json:.1f} µs/step)")
    print(f"  ratio engine-alone / with-JSON: {bare / with_json:.2f}")


if __name__ == "__main__":
    main()
