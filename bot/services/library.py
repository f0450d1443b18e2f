"""The flows in use, with their data files (helplines, alert areas and alert templates),
swapped only for a set that passed every check.

A broken file never brings down a running bot: a reload that finds errors keeps the
flows (and helplines, areas and templates) that were running and returns the problems
for the log.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from pathlib import Path

from bot.engine import Flows
from bot.flowdef import LoadResult, Problem, load_flows
from bot.flowdef.alerts import AlertTemplates
from bot.flowdef.areas_model import AreaDirectory
from bot.services.helplines import HelplineDirectory

log = logging.getLogger(__name__)


class FlowsInvalidError(Exception):
    """The flows directory has errors and no earlier flows are running."""

    def __init__(self, directory: Path, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the flows in {directory}")


Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(directory: Path) -> Fingerprint:
    """Names, sizes and modification times of the YAML files under `directory`."""
    found = []
    for path in sorted(directory.rglob("*.y*ml")):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue  # removed while we looked
        found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


class FlowLibrary:
    def __init__(self, directory: Path, known_actions: Collection[str]) -> None:
        self.directory = directory
        self.known_actions = frozenset(known_actions)
        # The files as they were when last read (loaded or refused), to notice changes.
        self.seen = fingerprint(directory)
        result = load_flows(directory, known_actions=self.known_actions)
        if result.flows is None:
            raise FlowsInvalidError(directory, result.problems)
        self._flows = result.flows
        self._take_data(result)
        self.warnings = result.problems
        _remind(result.problems)

    @property
    def current(self) -> Flows:
        return self._flows

    @property
    def helplines(self) -> HelplineDirectory:
        """The helpline directory that came with the current flows (empty without one)."""
        return self._helplines

    @property
    def areas(self) -> AreaDirectory:
        """The alert areas that came with the current flows (empty without the file)."""
        return self._areas

    @property
    def alert_templates(self) -> AlertTemplates:
        """The alert templates that came with the current flows (empty without the file)."""
        return self._alert_templates

    def _take_data(self, result: LoadResult) -> None:
        """Use the data files of a result that passed every check."""
        self._helplines = HelplineDirectory(result.helplines or ())
        self._areas = result.areas if result.areas is not None else AreaDirectory(())
        templates = result.alert_templates
        self._alert_templates = templates if templates is not None else AlertTemplates(())

    def reload(self) -> list[Problem]:
        """Load the directory again; use the new flows only if there is no error."""
        self.seen = fingerprint(self.directory)
        result = load_flows(self.directory, known_actions=self.known_actions)
        if result.flows is None:
            log.error("flows in %s not reloaded; the running flows stay", self.directory)
            for problem in result.problems:
                log.error("%s", problem)
        else:
            self._flows = result.flows
            self._take_data(result)
            log.info(
                "flows reloaded: %d flows, %d helplines, %d areas, %d alert templates",
                len(result.flows.by_id),
                len(self._helplines),
                len(self._areas),
                len(self._alert_templates),
            )
            _remind(result.problems)
        return result.problems


def _remind(problems: list[Problem]) -> None:
    stale = sum(problem.code == "stale_helpline" for problem in problems)
    if stale:
        log.warning("%d helplines not checked for six months: see `standby flows check`", stale)
