"""Log lines that keep people's words out of the log, tracebacks included.

Standby's own log calls name people by their internal contact id only. Tracebacks are
the way in for everything else: an exception's message is free text made by whoever
raised it, and may quote what it was given (Python's `invalid literal for int(): '…'`
with a typed answer, a PostgreSQL error's `DETAIL: Key (chat_id)=(…)`, a library's
request URL with the bot token). Above DEBUG a traceback therefore shows the frames
(code, not values) and each exception's type, but not its message.

Other libraries' own lines are the other way in: aiogram's "Failed to fetch updates -
ValidationError: … input_value={…}" or python-telegram-bot's "Received data was [...]"
quote whole updates. Above DEBUG their lines keep the library's words (the format string)
with small numbers and exception types filled in and every other value elided; a line a
library formatted itself keeps its first line, with quoted text and long numbers elided.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Mapping
from types import TracebackType

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HIDDEN = "(message hidden: it may quote what a person sent; LOG_LEVEL=DEBUG shows it)"
ELIDED = "…"
# Loggers whose lines are written to name no one: Standby's own (people only by contact
# id) and Alembic's (migrations). Every other library's lines are made safe.
TRUSTED = ("bot", "alembic")

# A %-format conversion, as logging's `msg % args` reads it.
_CONVERSION = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?"
    r"(?P<spec>[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<kind>[diouxXeEfFgGcrsa%]))"
)
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
# Chat and user ids run to 10 digits and more; counts, ports and seconds are shorter.
LONGEST_SHOWN = 10**6
_LONG_NUMBER = re.compile(r"\d{7,}")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class PrivateFormatter(logging.Formatter):
    """A formatter whose tracebacks leave out exception messages, and whose lines from
    libraries not `trusted` leave out what they quote, unless `reveal`."""

    def __init__(
        self, fmt: str = FORMAT, *, reveal: bool = False, trusted: tuple[str, ...] = TRUSTED
    ) -> None:
        super().__init__(fmt)
        self.reveal = reveal
        self.trusted = trusted

    def format(self, record: logging.LogRecord) -> str:
        # A record keeps the first traceback text any handler made for it (`exc_text`):
        # never show one made by a formatter that did not hide the messages.
        made_before, record.exc_text = record.exc_text, None
        try:
            if self.reveal or self._trusts(record.name):
                return super().format(record)
            # A copy: other handlers of the same record format it their own way.
            safe = logging.makeLogRecord(record.__dict__)
            safe.msg, safe.args = library_message(record), None
            return super().format(safe)
        finally:
            record.exc_text = made_before

    def _trusts(self, name: str | None) -> bool:
        return name is not None and any(
            name == trusted or name.startswith(f"{trusted}.") for trusted in self.trusted
        )

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:  # noqa: N802
        error = ei[1]
        if self.reveal or error is None:
            return super().formatException(ei)
        return "".join(_without_messages(error)).rstrip("\n")


def library_message(record: logging.LogRecord) -> str:
    """A library's log line without what it may quote from a person."""
    if isinstance(record.msg, BaseException):  # log.error(error): its message is free text
        return _shown(record.msg)
    text = str(record.msg)
    if not record.args:
        # Formatted by the library itself: anything may be in it, details mostly after
        # the first line (asyncio's "Task exception was never retrieved\nfuture: <…>").
        first = text.split("\n", 1)[0]
        return _LONG_NUMBER.sub(ELIDED, _QUOTED.sub(f"'{ELIDED}'", first))
    args = record.args
    values = iter(args if isinstance(args, tuple) else (args,))

    def fill(conversion: re.Match[str]) -> str:
        if conversion["kind"] == "%":
            return "%"
        key = conversion["key"]
        if isinstance(args, Mapping) and key is not None:
            return _shown(args.get(key), f"%{conversion['spec']}")
        return _shown(next(values, None), f"%{conversion['spec']}")

    return _CONVERSION.sub(fill, text)


def _shown(value: object, conversion: str = "%s") -> str:
    """Numbers below a million and flags as the library formats them, exceptions by type,
    all else elided."""
    if isinstance(value, BaseException):
        return type(value).__name__
    if isinstance(value, int) and abs(value) >= LONGEST_SHOWN:
        return ELIDED
    if isinstance(value, bool | int | float) or value is None:
        try:
            return conversion % (value,)
        except (TypeError, ValueError):
            return str(value)
    return ELIDED


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
