"""Checks across all the flow files of a directory: ids, home, triggers, links between flows."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.answers import ANSWER_WORDS
from bot.engine.triggers import normalise_words
from bot.flowdef.flowfile import FlowFile
from bot.flowdef.graph import reach
from bot.flowdef.limits import MAX_FLOWS
from bot.flowdef.messages import suggest
from bot.flowdef.problems import Problem
from bot.flowdef.yamlload import YamlList, YamlMap


def check_directory(
    files: Sequence[FlowFile], directory: str
) -> tuple[dict[str, FlowFile], list[Problem]]:
    """Flows by id (the first file wins a duplicated id) and problems about the directory.

    Problems about one file go to that file's `found`.
    """
    problems: list[Problem] = []
    if not files:
        problems.append(
            Problem(directory, 0, "no flow files (*.yaml) in this directory", code="no_flows")
        )
    if len(files) > MAX_FLOWS:
        message = f"too many flows ({len(files)}); the limit is {MAX_FLOWS}"
        problems.append(Problem(directory, 0, message, code="too_many"))
    by_id = _unique_ids(files)
    problems += _check_home(files, directory)
    for flag in ONE_FLOW_FLAGS:
        _check_only_one(files, flag)
    _check_triggers(files)
    _check_links(files, by_id)
    _check_call_cycles(files, by_id)
    _check_reach(by_id)
    return by_id, problems


def _unique_ids(files: Sequence[FlowFile]) -> dict[str, FlowFile]:
    by_id: dict[str, FlowFile] = {}
    for file in files:
        if file.id is None:
            continue
        first = by_id.get(file.id)
        if first is None:
            by_id[file.id] = file
        else:
            message = f"flow id '{file.id}' is already used in {first.path}"
            file.found.error(file.line, message, "duplicate_flow")
    return by_id


def _is_home(file: FlowFile) -> bool:
    return file.header is not None and file.header.get("home") is True


def _check_home(files: Sequence[FlowFile], directory: str) -> list[Problem]:
    homes = [file for file in files if _is_home(file)]
    # A file that could not be read at all may well be the home flow: say nothing then.
    readable = all(file.header is not None for file in files)
    if not homes and files and readable:
        message = "no flow has 'home: true': mark the flow new conversations start in"
        return [Problem(directory, 0, message, code="no_home")]
    if len(homes) > 1:
        names = ", ".join(file.id or file.path for file in homes)
        message = f"'home: true' is set in {len(homes)} flows ({names}): only one can be home"
        for file in homes:
            file.found.error(file.key_line("home"), message, "many_homes")
    return []


# Header flags that name the one flow the engine runs from anywhere: the quick exit and
# the emergency route (a button under every question runs each), and the quiet start
# after a quick exit. Two of one kind would leave it ambiguous.
ONE_FLOW_FLAGS = ("quick_exit", "emergency", "quiet_start")


def _flagged(file: FlowFile, flag: str) -> bool:
    return file.header is not None and file.header.get(flag) is True


def _is_quick_exit(file: FlowFile) -> bool:
    return _flagged(file, "quick_exit")


def _check_only_one(files: Sequence[FlowFile], flag: str) -> None:
    flagged = [file for file in files if _flagged(file, flag)]
    if len(flagged) > 1:
        names = ", ".join(file.id or file.path for file in flagged)
        message = f"'{flag}: true' is set in {len(flagged)} flows ({names}): only one can be"
        for file in flagged:
            file.found.error(file.key_line(flag), message, f"many_{flag}s")


def _check_triggers(files: Sequence[FlowFile]) -> None:
    # Commands match exactly; words match as the engine compares them (case, spacing
    # and punctuation folded), so "Emergency!" and "emergency" are the same trigger.
    seen: dict[str, FlowFile] = {}
    for file in files:
        triggers = file.doc.triggers if file.doc is not None else None
        raw = file.header.get("triggers") if file.header is not None else None
        if triggers is None or not isinstance(raw, YamlMap):
            continue
        mine: set[str] = set()
        for kind, names in (("command", triggers.commands), ("word", triggers.words)):
            lines = raw.get(f"{kind}s")
            for index, name in enumerate(names):
                key = f"{kind}:{name if kind == 'command' else normalise_words(name)}"
                line = lines.line_of(index) if isinstance(lines, YamlList) else raw.line
                if kind == "word" and _is_an_answer(normalise_words(name)):
                    message = (
                        f"word '{name}' is something people type as an answer (or a button's "
                        "number): they would be taken away mid-question; choose another word"
                    )
                    file.found.error(line, message, "answer_trigger")
                other = seen.get(key)
                if key in mine:
                    file.found.error(line, f"{kind} '{name}' is listed twice", "duplicate_trigger")
                elif other is not None:
                    message = (
                        f"{kind} '{name}' is already a trigger of flow '{other.id}' ({other.path})"
                    )
                    file.found.error(line, message, "duplicate_trigger")
                mine.add(key)
        for key in mine:
            seen.setdefault(key, file)


def _is_an_answer(word: str) -> bool:
    return word in ANSWER_WORDS or (word.isdecimal() and int(word) < 100)


def _check_call_cycles(files: Sequence[FlowFile], by_id: dict[str, FlowFile]) -> None:
    """A flow that calls (directly or not) a flow that calls it back piles up a place to
    return to on every round, and the person can never get back out of them all."""
    calls = {
        file.id: [link for link in file.links if link.key == "call" and link.target in by_id]
        for file in files
        if file.id is not None
    }
    for file in files:
        for link in calls.get(file.id or "", []):
            back = reach([link.target], lambda f: [c.target for c in calls.get(f, [])])
            if file.id in back:
                message = (
                    f"'call: {link.target}' can lead back here and call it again, so every "
                    "round adds another place to return to: use 'goto' to go back instead"
                )
                file.found.error(link.line, message, "call_cycle", link.step)


def _check_links(files: Sequence[FlowFile], by_id: dict[str, FlowFile]) -> None:
    for file in files:
        for link in file.links:
            if link.target not in by_id:
                message = (
                    f"'{link.key}' names unknown flow '{link.target}'{suggest(link.target, by_id)}"
                )
                file.found.error(link.line, message, "unknown_flow", link.step)


def _check_reach(by_id: dict[str, FlowFile]) -> None:
    starts = [
        flow_id
        for flow_id, file in by_id.items()
        if _is_home(file)
        or any(_flagged(file, flag) for flag in ONE_FLOW_FLAGS)  # run from anywhere
        or (file.doc is not None and file.doc.triggers is not None)
    ]
    if not starts:
        return  # without a home every flow would be unreachable: the missing home says it all
    reached = reach(
        (f for f in starts if f in by_id),
        lambda flow_id: (link.target for link in by_id[flow_id].links if link.target in by_id),
    )
    for flow_id, file in by_id.items():
        # A broken file has more pressing problems than being unreachable.
        if flow_id not in reached and not file.found.has_errors:
            message = "unreachable: not home, no triggers, and no flow calls it or goes to it"
            file.found.warning(file.line, message, "unreachable_flow")
