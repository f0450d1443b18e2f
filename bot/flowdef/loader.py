"""Loading a directory of flow files into the engine's model, with every problem found."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Generic, TypeVar

from bot.engine.model import Flows
from bot.engine.runner import LOCAL_TIME as LONDON
from bot.flowdef.alerts import ALERTS_FILE, AlertTemplates, read_alerts_text
from bot.flowdef.areas import AREAS_FILE, read_areas_text
from bot.flowdef.areas_model import AreaDirectory
from bot.flowdef.dataflow import Variables
from bot.flowdef.directory import check_directory
from bot.flowdef.flowfile import FlowFile, read_flow_text
from bot.flowdef.graph import check_shape
from bot.flowdef.helplines import FIND_HELPLINES, HELPLINES_FILE, read_helplines_text
from bot.flowdef.helplines_model import Helpline
from bot.flowdef.limits import MAX_FILE_BYTES
from bot.flowdef.loops import check_loops
from bot.flowdef.problems import Found, Problem, sort_problems

FLOW_SUFFIXES = (".yaml", ".yml")
QUICK_EXIT = "quick_exit"  # the action (bot/services/actions.py)
Data = TypeVar("Data")


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The loaded flows, or None when there is any error; and every problem, sorted.

    `files` are the flow files that were read, in order. `helplines` are the entries of
    the helpline directory, or None when the folder has none (`data/helplines.yaml`);
    `areas` and `alert_templates` likewise come from `data/areas.yaml` and
    `data/alerts.yaml`. With errors, these hold what read well.
    """

    flows: Flows | None
    problems: list[Problem]
    files: tuple[str, ...] = field(default=())
    helplines: tuple[Helpline, ...] | None = None
    areas: AreaDirectory | None = None
    alert_templates: AlertTemplates | None = None

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the flows from loading."""
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems worth a look that don't stop the flows from loading."""
        return [problem for problem in self.problems if problem.severity == "warning"]

    @property
    def notices(self) -> list[Problem]:
        """Reminders (such as a helpline not checked for six months) that never fail a check."""
        return [problem for problem in self.problems if problem.severity == "notice"]


def flow_paths(directory: Path) -> list[Path]:
    """The flow files of `directory`: top-level `*.yaml`/`*.yml`, hidden files skipped.

    Subfolders (such as `flows/data/`) hold other things and are never read as flows.
    """
    return sorted(
        path
        for path in directory.iterdir()
        if path.suffix in FLOW_SUFFIXES and not path.name.startswith(".") and path.is_file()
    )


def load_flows(
    directory: Path, *, known_actions: Collection[str], today: date | None = None
) -> LoadResult:
    """Read, check and convert every flow in `directory`, and its data files (helplines,
    alert areas and alert templates).

    `known_actions` are the action names services can run; `today` (default: the date in
    London) dates the helplines' `last_checked`. Content problems never raise; a missing
    directory does (`FileNotFoundError` or `NotADirectoryError`).
    """
    if not directory.exists():
        raise FileNotFoundError(f"no such directory: {directory}")
    if not directory.is_dir():
        raise NotADirectoryError(f"not a directory: {directory}")
    files = [_read_file(path, known_actions) for path in flow_paths(directory)]
    helplines = _read_helplines(directory / HELPLINES_FILE, today or datetime.now(LONDON).date())
    areas = _read_data(directory / AREAS_FILE, read_areas_text, AreaDirectory(()))
    alerts = _read_data(directory / ALERTS_FILE, read_alerts_text, AlertTemplates(()))
    return check_files(files, str(directory), helplines=helplines, areas=areas, alerts=alerts)


def load_flow_texts(
    texts: Mapping[str, str], *, known_actions: Collection[str], directory: str = "flows"
) -> LoadResult:
    """Like `load_flows`, for texts given as {path: YAML text} (handy in tests and tools)."""
    files = [read_flow_text(text, path, known_actions) for path, text in sorted(texts.items())]
    return check_files(files, directory)


def load_flow_text(text: str, path: str, *, known_actions: Collection[str]) -> LoadResult:
    """Load a single flow on its own (it must then be the home flow)."""
    return load_flow_texts({path: text}, known_actions=known_actions)


@dataclass(frozen=True, slots=True)
class HelplinesRead:
    """The helpline directory's entries that read well, and the problems of its file."""

    entries: tuple[Helpline, ...]
    problems: list[Problem]


@dataclass(frozen=True, slots=True)
class DataRead(Generic[Data]):
    """A data file's content (what read well), and the problems of its file."""

    content: Data
    problems: list[Problem]


def check_files(
    files: Sequence[FlowFile],
    directory: str,
    *,
    helplines: HelplinesRead | None = None,
    areas: DataRead[AreaDirectory] | None = None,
    alerts: DataRead[AlertTemplates] | None = None,
) -> LoadResult:
    """Run the checks across files and build the engine's `Flows` when nothing is wrong.

    An error in a data file (helplines, areas, alerts) stops the flows from loading too:
    they are used (and reloaded) together.
    """
    by_id, problems = check_directory(files, directory)
    has_quick_exit = any(file.flow is not None and file.flow.quick_exit for file in by_id.values())
    for file in by_id.values():
        if file.flow is not None:
            check_shape(file, file.flow, quick_exit=has_quick_exit)
    check_loops(by_id)
    Variables(by_id).check_all()
    for file in files:
        problems += file.found.problems
    entries = None
    if helplines is not None:
        problems += helplines.problems
        entries = helplines.entries
    else:
        problems += _helplines_missing(files, directory)
    problems += _exit_without_fallback(files)
    for data in (areas, alerts):
        if data is not None:
            problems += data.problems
    problems = sort_problems(problems)
    paths = tuple(file.path for file in files)
    result = LoadResult(
        None,
        problems,
        paths,
        entries,
        areas=None if areas is None else areas.content,
        alert_templates=None if alerts is None else alerts.content,
    )
    if any(problem.is_error for problem in problems):
        return result
    flows = {flow_id: file.flow for flow_id, file in by_id.items() if file.flow is not None}
    home = next(flow.id for flow in flows.values() if flow.home)
    quick_exit = next((flow.id for flow in flows.values() if flow.quick_exit), None)
    emergency = next((flow.id for flow in flows.values() if flow.emergency), None)
    quiet = next((flow.id for flow in flows.values() if flow.quiet_start), None)
    built = Flows(flows, home, quick_exit=quick_exit, emergency=emergency, quiet_start=quiet)
    return replace(result, flows=built)


def _helplines_missing(files: Sequence[FlowFile], directory: str) -> list[Problem]:
    """A warning at each step that looks helplines up when there is no directory to look in
    (every person would get the step's `on_error` fallback)."""
    return [
        Problem(
            file.path,
            step.line_of("action"),
            f"there is no helpline directory ({directory}/{HELPLINES_FILE}), so "
            "'find_helplines' always fails here",
            "warning",
            step.id,
            file.id,
            "no_helpline_directory",
        )
        for file in files
        for step in file.steps
        if step.raw is not None and step.raw.get("action") == FIND_HELPLINES
    ]


def _exit_without_fallback(files: Sequence[FlowFile]) -> list[Problem]:
    """An error at each quick exit with no `on_error`: when Telegram keeps some messages
    the action fails, and the person must be told so in the flow's own words, not with
    the words that say the chat was cleared."""
    return [
        Problem(
            file.path,
            step.line_of("action"),
            "'quick_exit' needs `on_error:` naming a step that tells the person some "
            "messages could not be deleted (Telegram may refuse to delete them)",
            "error",
            step.id,
            file.id,
            "quick_exit_without_on_error",
        )
        for file in files
        for step in file.steps
        if step.raw is not None
        and step.raw.get("action") == QUICK_EXIT
        and step.raw.get("on_error") is None
    ]


def _read_file(path: Path, known_actions: Collection[str]) -> FlowFile:
    found = Found(str(path))
    text = _read_text(path, found)
    if text is None:
        return FlowFile(str(path), found)
    return read_flow_text(text, str(path), known_actions)


def _read_helplines(path: Path, today: date) -> HelplinesRead | None:
    if not path.is_file():
        return None  # no directory: no helplines to offer, and nothing wrong
    found = Found(str(path))
    text = _read_text(path, found)
    entries = () if text is None else read_helplines_text(text, found, today)
    return HelplinesRead(entries, found.problems)


def _read_data(
    path: Path, read: Callable[[str, Found], Data], empty: Data
) -> DataRead[Data] | None:
    """Read and check a data file with `read`; None when there is no such file (that is
    allowed: the feature then has nothing to offer); `empty` when it can't be read."""
    if not path.is_file():
        return None
    found = Found(str(path))
    text = _read_text(path, found)
    return DataRead(empty if text is None else read(text, found), found.problems)


def _read_text(path: Path, found: Found) -> str | None:
    """The file's text, or None (with the problem in `found`) when too big or not UTF-8."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        message = f"file is too big ({size // 1024} KiB); the limit is {MAX_FILE_BYTES // 1024} KiB"
        found.error(1, message, "too_big")
        return None
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        found.error(line, "this is not UTF-8 text: save the file as UTF-8", "encoding")
        return None
