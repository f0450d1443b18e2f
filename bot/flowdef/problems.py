"""Problems found in flow files, with where they are, in a form volunteers can act on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

Severity = Literal["error", "warning", "notice"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (error), worth a look (warning) or a reminder (notice) in the flows.

    Notices never fail a check, not even with `--strict`: they are for facts that age,
    such as a helpline nobody has re-checked for six months.

    `line` is 1-based; 0 means the problem is about the whole directory, not a line.
    `code` is a stable short name for tools and tests; `message` is for people.
    """

    path: str
    line: int
    message: str
    severity: Severity = "error"
    step: str | None = None
    flow: str | None = None
    code: str = "invalid"

    @property
    def is_error(self) -> bool:
        """Whether this problem stops the flows from loading."""
        return self.severity == "error"

    def __str__(self) -> str:
        """`path:line: step 'id': message`, with `warning: `/`notice: ` before the message."""
        where = f"{self.path}:{self.line}: " if self.line > 0 else f"{self.path}: "
        about = f"step '{self.step}': " if self.step is not None else ""
        kind = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}{about}{kind}{self.message}"


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """By path then line; problems on the same line keep the order they were found in."""
    return sorted(problems, key=lambda problem: (problem.path, problem.line))


class Found:
    """Collects problems for one file, so checks only say what is wrong and where."""

    def __init__(self, path: str, flow: str | None = None) -> None:
        self.path = path
        self.flow = flow
        self.problems: list[Problem] = []

    def error(self, line: int, message: str, code: str, step: str | None = None) -> None:
        """Record an error at `line` (about `step`, when given)."""
        self.problems.append(Problem(self.path, line, message, "error", step, self.flow, code))

    def warning(self, line: int, message: str, code: str, step: str | None = None) -> None:
        """Record a warning at `line` (about `step`, when given)."""
        self.problems.append(Problem(self.path, line, message, "warning", step, self.flow, code))

    def notice(self, line: int, message: str, code: str) -> None:
        """Record a notice at `line`: a reminder that never fails a check."""
        self.problems.append(Problem(self.path, line, message, "notice", None, self.flow, code))

    def name_flow(self, flow: str) -> None:
        """Set the flow id, also on problems found before it was known (YAML problems)."""
        self.flow = flow
        self.problems = [replace(problem, flow=problem.flow or flow) for problem in self.problems]

    @property
    def has_errors(self) -> bool:
        """Whether any error has been recorded."""
        return any(problem.is_error for problem in self.problems)
