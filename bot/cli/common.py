"""Small things every command shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.config import SettingsError

# Exit codes: 1 = the thing checked has problems; 2 = Standby was started wrongly.
EXIT_BAD_SETTING = 2

DatabaseOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (DATABASE_URL); default: SQLite in ./data/."),
]


def day_of(text: str | None, option: str = "--since") -> datetime | None:
    """A day typed as 2026-01-31 (UTC midnight); one clear line and exit 2 otherwise."""
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        typer.echo(
            f"standby: option {option} should be a day like 2026-01-31, got {text!r}", err=True
        )
        raise typer.Exit(EXIT_BAD_SETTING) from None


@contextmanager
def fail_on_bad_settings() -> Iterator[None]:
    """Turn a settings problem into one clear line and exit code 2."""
    try:
        yield
    except SettingsError as error:
        typer.echo(f"standby: {error}", err=True)
        raise typer.Exit(EXIT_BAD_SETTING) from None


def database_problem(error: BaseException) -> str:
    """One line about a database that can't be used, without the URL (it may hold a
    password)."""
    reason = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
    return f"cannot use the database (DATABASE_URL): {type(error).__name__}: {reason}"
