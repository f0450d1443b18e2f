"""The shape of one flow as a graph of steps: where each step can lead, and what that implies.

A target of None means "the end of the flow". A `goto` leaves the flow for good, so it
counts as a way out just like the end; so does a menu when there is a quick exit flow, as
its "Leave now" button runs that flow from there (every question has it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping

from bot.engine.model import Action, Ask, Call, Check, End, Flow, Goto, Say, Step
from bot.flowdef.flowfile import FlowFile


def successors(step: Step) -> list[str | None]:
    """Where the flow can go right after `step`, as the engine runs it."""
    match step:
        case Say() | Call():
            return [step.next]
        case Ask():
            return _ask_successors(step)
        case Action():
            return [step.next] if step.on_error is None else [step.next, step.on_error]
        case Check():
            return [*(target for _, target in step.cases), step.otherwise]
        case Goto() | End():
            return []
    raise TypeError(f"not a step: {step!r}")


def _ask_successors(step: Ask) -> list[str | None]:
    # A chosen button's own `next` wins, except in multiple choice where Done moves on. A
    # revisit goes to the step it asks again, and from its end to `return_to`.
    chosen: list[str | None] = []
    if not step.multiple:
        chosen = [c.next for c in step.choices if c.next is not None]
        for choice in step.choices:
            if choice.revisit is not None:
                chosen += [choice.revisit, step.return_to]
    falls_through = (
        not step.choices
        or step.multiple
        or step.optional
        or any(c.next is None and c.revisit is None for c in step.choices)
    )
    return [*chosen, step.next] if falls_through else chosen


def reach(start: Iterable[str], edges: Callable[[str], Iterable[str]]) -> set[str]:
    """Every node reachable from `start`; `edges` gives a node's neighbours."""
    seen: set[str] = set()
    queue = deque(start)
    while queue:
        node = queue.popleft()
        if node not in seen:
            seen.add(node)
            queue.extend(edges(node))
    return seen


def reachable(steps: Mapping[str, Step], start: Iterable[str]) -> set[str]:
    """Steps that can be reached from `start` following `successors`."""

    def following(step_id: str) -> Iterable[str]:
        return (t for t in successors(steps[step_id]) if t is not None and t in steps)

    return reach((s for s in start if s in steps), following)


def can_finish(flow: Flow, *, quick_exit: bool = False) -> set[str]:
    """Steps from which the flow can reach its end, or leave it with a `goto` (or, with
    `quick_exit`, with the Leave now button under a menu)."""
    before: dict[str, list[str]] = {}
    queue: deque[str] = deque()
    for step_id, step in flow.steps.items():
        targets = successors(step)
        leaves = quick_exit and isinstance(step, Ask)  # Leave now is under every question
        if isinstance(step, Goto | End) or None in targets or leaves:
            queue.append(step_id)
        for target in targets:
            if target is not None:
                before.setdefault(target, []).append(step_id)
    done: set[str] = set()
    while queue:
        step_id = queue.popleft()
        if step_id not in done:
            done.add(step_id)
            queue.extend(before.get(step_id, ()))
    return done


def check_shape(file: FlowFile, flow: Flow, *, quick_exit: bool = False) -> None:
    """Warn about steps nothing leads to; report steps from which there is no way out
    (`quick_exit`: some flow is the quick exit, so menus are ways out)."""
    found = file.found
    reached = reachable(flow.steps, [flow.start])
    finishing = can_finish(flow, quick_exit=quick_exit)
    lines = file.step_lines()
    for step_id in flow.steps:
        line = lines[step_id]
        if step_id not in reached:
            found.warning(line, "unreachable: no step leads here", "unreachable_step", step_id)
        elif step_id not in finishing:
            message = "no way out: from here the flow can never end"
            found.error(line, message, "dead_end", step_id)
