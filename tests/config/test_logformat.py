"""Tracebacks in the log show where, not what: exception messages only at DEBUG."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest

from bot.config import configure_logging
from bot.logformat import HIDDEN, PrivateFormatter

SECRET = "Zebrafieldtown"


def _parse(answer: str) -> int:
    return int(answer)  # ValueError: invalid literal for int() with base 10: '<answer>'


def _failed_turn() -> None:
    try:
        _parse(SECRET)
    except ValueError as error:
        raise RuntimeError(f"turn failed for {SECRET}") from error


def _record() -> logging.LogRecord:
    try:
        _failed_turn()
    except RuntimeError:
        return logging.makeLogRecord(
            {"msg": "update %d failed", "args": (7,), "exc_info": sys.exc_info()}
        )
    raise AssertionError("no exception")


def test_a_traceback_keeps_frames_and_types_but_not_messages() -> None:
    text = PrivateFormatter().format(_record())
    assert SECRET not in text
    assert "update 7 failed" in text
    assert "in _parse" in text, "where it happened stays"
    assert "in _failed_turn" in text
    assert f"ValueError: {HIDDEN}" in text
    assert f"RuntimeError: {HIDDEN}" in text
    assert text.index("ValueError") < text.index("direct cause") < text.index("RuntimeError")


def test_context_without_a_cause_is_kept_and_a_suppressed_one_is_not() -> None:
    def handled(suppress: bool) -> logging.LogRecord:
        try:
            try:
                _parse(SECRET)
            except ValueError:
                if suppress:
                    raise KeyError(SECRET) from None
                raise KeyError(SECRET)  # noqa: B904 - the implicit context is the point
        except KeyError:
            return logging.makeLogRecord({"msg": "x", "exc_info": sys.exc_info()})
        raise AssertionError("no exception")

    shown = PrivateFormatter().format(handled(suppress=False))
    assert "During handling of the above exception" in shown
    assert SECRET not in shown
    alone = PrivateFormatter().format(handled(suppress=True))
    assert "ValueError" not in alone
    assert SECRET not in alone


def test_at_debug_the_whole_traceback_is_shown() -> None:
    assert SECRET in PrivateFormatter(reveal=True).format(_record())


@pytest.fixture
def root_handlers() -> Iterator[None]:
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = saved, level


@pytest.mark.parametrize(("level", "shown"), [("INFO", False), ("WARNING", False), ("DEBUG", True)])
def test_configure_logging_hides_messages_above_debug(
    root_handlers: None, level: str, shown: bool
) -> None:
    configure_logging(level)
    handler = logging.getLogger().handlers[0]
    stream = io.StringIO()
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        _failed_turn()
    except RuntimeError:
        logging.getLogger("test.logformat").exception("turn failed")
    assert (SECRET in stream.getvalue()) is shown
    assert "turn failed" in stream.getvalue()


def test_regression_a_traceback_another_handler_made_first_is_not_reused() -> None:
    record = _record()
    assert SECRET in logging.Formatter().format(record)  # caches record.exc_text
    assert SECRET not in PrivateFormatter().format(record)
