"""Log lines that keep people's words out of the log, tracebacks included.

Standby's own log calls name people by their internal contact id only. Tracebacks are
the way in for everything else: an exception's message is free text made by whoever
raised it, and may quote what it was given (Python's `invalid literal for int(): '…'`
with a typed answer, a PostgreSQL error's `DETAIL: Key (chat_id)=(…)`, a library's
request URL with the bot token). Above DEBUG a traceback therefore shows the frames
(code, not values) and each exception's type, but not its message.
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HIDDEN = "(message hidden: it may quote what a person sent; LOG_LEVEL=DEBUG shows it)"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class PrivateFormatter(logging.Formatter):
    """A formatter whose tracebacks leave out exception messages unless `reveal`."""

    def __init__(self, fmt: str = FORMAT, *, reveal: bool = False) -> None:
        super().__init__(fmt)
        self.reveal = reveal

    def format(self, record: logging.LogRecord) -> str:
        # A record keeps the first traceback text any handler made for it (`exc_text`):
        # never show one made by a formatter that did not hide the messages.
        made_before, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = made_before

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:  # noqa: N802
        error = ei[1]
        if self.reveal or error is None:
            return super().formatException(ei)
        return "".join(_without_messages(error)).rstrip("\n")


def _chain(error: BaseException) -> list[tuple[BaseException, str | None]]:
    """The exceptions as Python prints them, oldest first, each with the line that joins
    it to the next one."""
    chain: list[tuple[BaseException, str | None]] = []
    current: BaseException | None = error
    joint: str | None = None
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, joint))
        if current.__cause__ is not None:
            joint = "The above exception was the direct cause of the following exception:"
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            joint = "During handling of the above exception, another exception occurred:"
            current = current.__context__
        else:
            current = None
    return chain[::-1]


def _without_messages(error: BaseException) -> list[str]:
    lines: list[str] = []
    for current, joint in _chain(error):
        lines.append("Traceback (most recent call last):\n")
        lines += traceback.format_tb(current.__traceback__)
        kind = type(current)
        module = "" if kind.__module__ == "builtins" else f"{kind.__module__}."
        lines.append(f"{module}{kind.__qualname__}: {HIDDEN}\n")
        if joint is not None:
            lines.append(f"\n{joint}\n\n")
    return lines
