"""A problem in a catalog, said the way compilers say it: `path:line: msgid "…": what`."""

from __future__ import annotations

from dataclasses import dataclass

# Long texts are cut in messages: the line number leads to the rest.
SHOWN_LENGTH = 60


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    """One thing to fix in a `.po` or `.pot` file.

    `line` is 1-based, 0 when the problem has no line (a message missing from the file).
    `msgid` is None for problems about the file or its header.
    """

    path: str
    line: int
    msgid: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.line > 0 else f"{self.path}: "
        about = "header: " if self.msgid == "" else ""
        if self.msgid:
            about = f'msgid "{shown(self.msgid)}": '
        return f"{where}{about}{self.message}"


def shown(text: str) -> str:
    """`text` as a .po file writes it (escaped), cut to a readable length."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    escaped = escaped.replace("\t", "\\t")
    return escaped if len(escaped) <= SHOWN_LENGTH else escaped[: SHOWN_LENGTH - 1] + "…"
