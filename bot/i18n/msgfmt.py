"""GNU `msgfmt --check`, when it is installed: what it rejects, as catalog problems."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from bisect import bisect_right
from collections.abc import Sequence
from itertools import takewhile
from pathlib import Path

from babel.messages.pofile import unescape

from bot.i18n.problems import CatalogProblem

PROGRAM = "msgfmt"
_LOCATED = re.compile(r"^(?P<path>.+?):(?P<line>[0-9]+): (?P<text>.*)$")
TIMEOUT_SECONDS = 60


def find_msgfmt() -> str | None:
    """The path of `msgfmt`, or None when GNU gettext is not installed."""
    return shutil.which(PROGRAM)


def msgfmt_problems(
    program: str, path: Path, entries: Sequence[tuple[int, str]]
) -> list[CatalogProblem]:
    """The errors `msgfmt --check` finds in the .po at `path` (warnings are left out).

    `entries` are (line, msgid) of the file's messages in order, so that each error can
    name the message it is in.
    """
    result = subprocess.run(
        [program, "--check", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        env={**os.environ, "LC_ALL": "C"},  # its messages in English, as ours are
        check=False,
    )
    if result.returncode == 0:
        return []
    located = [
        (int(found["line"]), found["text"])
        for found in map(_LOCATED.match, result.stderr.splitlines())
        if found is not None and not found["text"].startswith("warning:")
    ]
    errors = _joined(located)
    if not errors:  # failed without saying where (an unreadable file, say)
        reason = result.stderr.strip().splitlines()[-1:] or [f"exit status {result.returncode}"]
        return [CatalogProblem(str(path), 0, None, f"msgfmt --check: {reason[0]}")]
    lines = [line for line, _ in entries]
    problems = []
    for line, text in errors:
        index = bisect_right(lines, line) - 1
        msgid = entries[index][1] if index >= 0 else ""
        problems.append(CatalogProblem(str(path), line, msgid, f"msgfmt --check: {text}"))
    return problems


def msgid_lines(po_text: str) -> list[tuple[int, str]]:
    """(line, msgid) of every entry as written, duplicates included (Babel merges those)."""
    lines = po_text.splitlines()
    entries: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.startswith('msgid "'):
            strings = [line.removeprefix("msgid ").strip()]
            strings += takewhile(lambda next_line: next_line.startswith('"'), lines[number:])
            entries.append((number, "".join(unescape(string.strip()) for string in strings)))
    return entries


def _joined(located: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """msgfmt says some things over two lines (`duplicate message definition...` then
    `...this is the location of the first definition`): make them one."""
    joined: list[tuple[int, str]] = []
    for line, text in located:
        if text.startswith("...") and joined and joined[-1][1].endswith("..."):
            first_line, first = joined[-1]
            joined[-1] = (first_line, f"{first} {text} (line {line})")
        else:
            joined.append((line, text))
    return joined
