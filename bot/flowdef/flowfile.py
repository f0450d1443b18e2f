"""Reading one flow file: YAML, spec, header, steps, and the checks that need only it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from pydantic import ValidationError

from bot.engine.model import Flow, Trigger
from bot.flowdef.convert import flow_ref, step_refs, to_step
from bot.flowdef.limits import MAX_STEPS
from bot.flowdef.messages import describe, line_at, suggest, unknown_key
from bot.flowdef.migrations import migrate, read_spec
from bot.flowdef.problems import Found
from bot.flowdef.schema import AskDoc, FlowDoc, TriggersDoc, keys_of
from bot.flowdef.steps import ReadStep, read_step
from bot.flowdef.yamlload import YamlList, YamlMap, load_yaml


@dataclass(frozen=True, slots=True)
class FlowLink:
    """A `call:` or `goto:` naming another flow, for the checks across files."""

    step: str
    key: str
    target: str
    line: int


@dataclass(slots=True)
class FlowFile:
    """One flow file as read. `flow` is the engine's flow, only when the file has no errors."""

    path: str
    found: Found
    id: str | None = None
    line: int = 1
    doc: FlowDoc | None = None
    steps: list[ReadStep] = field(default_factory=list)
    links: list[FlowLink] = field(default_factory=list)
    header: YamlMap | None = None
    flow: Flow | None = None

    def key_line(self, key: str) -> int:
        """The line of a top-level key, for problems about the whole flow."""
        return self.header.line_of(key) if self.header is not None else self.line

    def steps_by_id(self) -> dict[str, ReadStep]:
        """Each step by its id (the first, when an id is used twice)."""
        found: dict[str, ReadStep] = {}
        for step in self.steps:
            if step.id is not None:
                found.setdefault(step.id, step)
        return found

    def step_lines(self) -> dict[str, int]:
        """The line where each step starts."""
        return {step_id: step.line for step_id, step in self.steps_by_id().items()}


def read_flow_text(text: str, path: str, known_actions: Collection[str]) -> FlowFile:
    """Read and check one flow file's text on its own; problems are in `.found`."""
    file = FlowFile(path, Found(path))
    found = file.found
    data = load_yaml(text, found)
    if not isinstance(data, YamlMap):
        if data is None and not found.problems:
            found.error(1, "this file is empty: a flow needs 'spec', 'flow' and 'steps'", "empty")
        elif not found.problems:
            message = "a flow file must be a set of 'key: value' lines, starting with 'spec: 1'"
            found.error(getattr(data, "line", 1), message, "wrong_type")
        return file
    file.header = data
    if isinstance(data.get("flow"), str):
        file.id = data["flow"]
        found.name_flow(data["flow"])
        file.line = data.line_of("flow")
    spec = read_spec(data, found)
    if spec is None:
        return file
    data = migrate(data, spec)
    file.doc = _read_header(data, found)
    file.steps = _read_steps(data, found, known_actions)
    _check_step_ids(file)
    _check_refs(file)
    if file.doc is not None:
        _check_header(file, file.doc)
    if not found.has_errors and file.doc is not None:
        file.flow = _to_flow(file, file.doc)
    return file


def _read_header(data: YamlMap, found: Found) -> FlowDoc | None:
    try:
        return FlowDoc.model_validate(data)
    except ValidationError as invalid:
        for error in invalid.errors():
            loc = error["loc"]
            if loc[0] == "spec":
                continue  # reported by `read_spec`, in its own words
            line = line_at(data, loc, data.line)
            if error["type"] == "extra_forbidden":
                allowed = keys_of(TriggersDoc if loc[0] == "triggers" else FlowDoc)
                found.error(line, unknown_key(loc[-1], allowed), "unknown_key")
            else:
                found.error(line, *describe(error))
        return None


def _read_steps(data: YamlMap, found: Found, known_actions: Collection[str]) -> list[ReadStep]:
    raw = data.get("steps")
    if not isinstance(raw, YamlList):
        return []  # reported by the header's validation
    if not raw:
        found.error(data.line_of("steps"), "'steps' needs at least one step", "missing_key")
    if len(raw) > MAX_STEPS:
        message = f"too many steps ({len(raw)}); the limit is {MAX_STEPS}"
        found.error(data.line_of("steps"), message, "too_many")
        return []
    return [
        read_step(item, raw.line_of(index), found, known_actions) for index, item in enumerate(raw)
    ]


def _check_step_ids(file: FlowFile) -> None:
    first: dict[str, int] = {}
    for step in file.steps:
        if step.id is None:
            continue
        if step.id in first:
            message = (
                f"step id '{step.id}' is used twice in this flow (first on line {first[step.id]})"
            )
            file.found.error(step.line_of("id"), message, "duplicate_step", step.id)
        else:
            first[step.id] = step.line


def _check_refs(file: FlowFile) -> None:
    known = [step.id for step in file.steps if step.id is not None]
    known_set = set(known)
    asks = {step.id for step in file.steps if isinstance(step.doc, AskDoc)}
    for step in file.steps:
        if step.doc is None:
            continue
        for ref in step_refs(step.doc):
            if ref.key == "revisit" and ref.target in known_set and ref.target not in asks:
                line = line_at(step.raw, ref.loc, step.line)
                message = f"'revisit' must name a question ('ask' step); '{ref.target}' is not one"
                file.found.error(line, message, "invalid_value", step.id)
            if ref.target not in known_set:
                line = line_at(step.raw, ref.loc, step.line)
                message = (
                    f"'{ref.key}' goes to unknown step '{ref.target}'{suggest(ref.target, known)}"
                )
                file.found.error(line, message, "unknown_step", step.id)
        link = flow_ref(step.doc)
        if link is not None:
            line = step.line_of(link.key)
            file.links.append(FlowLink(step.doc.id, link.key, link.target, line))
    start = file.doc.start if file.doc is not None else None
    if start is not None and start not in known_set:
        message = f"'start' goes to unknown step '{start}'{suggest(start, known)}"
        file.found.error(file.key_line("start"), message, "unknown_step")


def _check_header(file: FlowFile, doc: FlowDoc) -> None:
    triggers = doc.triggers
    if triggers is not None and not (triggers.commands or triggers.words):
        message = "'triggers' needs 'commands' or 'words'"
        file.found.error(file.key_line("triggers"), message, "missing_key")
    if doc.needs and (doc.home or doc.quick_exit or doc.quiet_start or triggers is not None):
        message = (
            "a flow that starts on its own (home or triggers) can't have 'needs': "
            "nothing is set when it starts"
        )
        file.found.error(file.key_line("needs"), message, "needs_on_start")


def _to_flow(file: FlowFile, doc: FlowDoc) -> Flow | None:
    read = [(step, step.id, step.doc) for step in file.steps if step.id and step.doc]
    if len(read) != len(file.steps):
        return None  # some step has errors, so the file has been reported already
    steps = {}
    for index, (step, step_id, step_doc) in enumerate(read):
        # What "the following step" means: the defaults for `next` and `otherwise`.
        following = read[index + 1][1] if index + 1 < len(read) else None
        steps[step_id] = to_step(step_doc, step.values, following)
    triggers = doc.triggers
    trigger = None
    if triggers is not None:
        trigger = Trigger(tuple(triggers.commands), tuple(triggers.words), triggers.returns)
    return Flow(
        id=doc.flow,
        steps=steps,
        start=doc.start or next(iter(steps)),
        expires_after=doc.expires_after,
        home=doc.home,
        quick_exit=doc.quick_exit,
        emergency=doc.emergency,
        quiet_start=doc.quiet_start,
        trigger=trigger,
        needs=tuple(doc.needs),
        title=doc.title,
        source=file.path,
    )
