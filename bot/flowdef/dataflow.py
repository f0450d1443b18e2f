"""Variables used before anything sets them.

For each step we work out which variables are set on *every* way of reaching it
(a "must" analysis: the intersection over the steps leading there), starting from the
flow's `needs`. Answers (`save` on an ask) and service results (`save` on an action) set
variables; texts read them through `{name}` placeholders, `check:` and `choices_from:`
read one, and a `call` or `goto` reads the other flow's `needs`. After a call, the caller
also has what the called flow sets on every way to its end.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping

from bot.engine.model import Action, Ask, Call, Check, End, Flow, Goto, Say, Step
from bot.flowdef.flowfile import FlowFile
from bot.flowdef.graph import successors
from bot.flowdef.messages import line_at
from bot.flowdef.problems import Found
from bot.flowdef.steps import ReadStep
from bot.flowdef.texts import placeholders

Vars = frozenset[str]


def _reads(step: Step) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(variable, where in the step it is read) for everything `step` reads itself."""
    texts: list[tuple[tuple[str, ...], str | None]] = []
    match step:
        case Say():
            texts.append((("say",), step.text))
        case Ask():
            texts += [(("ask",), step.text), (("retry",), step.retry)]
            if step.choices_from is not None:
                yield step.choices_from, ("choices_from",)  # the buttons come from it
        case End():
            texts.append((("end",), step.text))
        case Action():
            texts += [(("with", param), template) for param, template in step.params.items()]
        case Check():
            yield step.var, ("check",)
    for loc, text in texts:
        for name in sorted(placeholders(text or "")):
            yield name, loc


class Variables:
    """Runs the analysis over all loaded flows, reporting into each file's problems."""

    def __init__(self, files: Mapping[str, FlowFile]) -> None:
        self.files = files
        self.flows = {key: file.flow for key, file in files.items() if file.flow is not None}
        self._sets: dict[str, Vars] = {}
        self._busy: set[str] = set()

    def check_all(self) -> None:
        """Check every loaded flow once."""
        for flow_id in sorted(self.flows):
            self.sets(flow_id)

    def sets(self, flow_id: str) -> Vars:
        """What `flow_id` sets on every way to its end (checking the flow on first use)."""
        if flow_id in self._sets:
            return self._sets[flow_id]
        flow = self.flows.get(flow_id)
        if flow is None or flow_id in self._busy:
            return frozenset()  # unknown, or called from inside itself: assume nothing
        self._busy.add(flow_id)
        result = self._analyse(flow, self.files[flow_id])
        self._busy.discard(flow_id)
        self._sets[flow_id] = result
        return result

    def _analyse(self, flow: Flow, file: FlowFile) -> Vars:
        before = self._set_before(flow)
        steps = file.steps_by_id()
        for step_id, known in before.items():
            self._report(steps[step_id], flow.steps[step_id], known, file.found)
        ends = [
            out
            for step_id, known in before.items()
            for target, out in self._after(flow.steps[step_id], known)
            if target is None
        ]
        if not ends:
            return frozenset()
        # A flow's `needs` were set before it started: only what it adds counts.
        return frozenset.intersection(*ends) - set(flow.needs)

    def _set_before(self, flow: Flow) -> dict[str, Vars]:
        before: dict[str, Vars] = {flow.start: frozenset(flow.needs)}
        queue = deque([flow.start])
        while queue:
            step_id = queue.popleft()
            step = flow.steps.get(step_id)
            if step is None:
                continue
            for target, out in self._after(step, before[step_id]):
                if target is None or target not in flow.steps:
                    continue
                merged = out if target not in before else before[target] & out
                if target not in before or merged != before[target]:
                    before[target] = merged
                    queue.append(target)
        return before

    def _after(self, step: Step, known: Vars) -> list[tuple[str | None, Vars]]:
        """Each way on from `step` (None: the end) with what is set along it."""
        if isinstance(step, Ask) and step.save:
            return [(target, known | {step.save}) for target in successors(step)]
        if isinstance(step, Action):
            # On failure the service's results are not saved.
            ways = [(step.next, known | set(step.save))]
            return [*ways, (step.on_error, known)] if step.on_error is not None else ways
        if isinstance(step, Call):
            return [(step.next, known | self.sets(step.flow))]
        if isinstance(step, Goto | End):
            return [(None, known)]  # the end of this flow, as far as a caller can tell
        return [(target, known) for target in successors(step)]

    def _report(self, read: ReadStep, step: Step, known: Vars, found: Found) -> None:
        for name, loc in _reads(step):
            if name not in known:
                message = f"variable '{name}' is used before anything sets it"
                found.error(line_at(read.raw, loc, read.line), message, "unset_variable", step.id)
        if isinstance(step, Call | Goto) and step.flow in self.flows:
            key = "call" if isinstance(step, Call) else "goto"
            for name in self.flows[step.flow].needs:
                if name not in known:
                    message = (
                        f"flow '{step.flow}' needs variable '{name}', but it may not be set here"
                    )
                    found.error(read.line_of(key), message, "unset_variable", step.id)
