"""`standby db`: create or upgrade the database schema, or show where it is."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import typer
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.common import EXIT_BAD_SETTING, DatabaseOption, fail_on_bad_settings
from bot.config import load_settings
from bot.storage import migrate

app = typer.Typer(no_args_is_help=True, add_completion=False)


T = TypeVar("T")


@app.command()
def upgrade(db: DatabaseOption = None) -> None:
    """Migrate the database to the newest schema; does nothing if it is already there."""
    url = _database_url(db)
    revision = _run(_upgrade(url))
    typer.echo(f"Database schema at revision {revision} (newest).")


@app.command()
def current(db: DatabaseOption = None) -> None:
    """Show the schema revision the database is at."""
    url = _database_url(db)
    revision = _run(migrate.current(url))
    newest = migrate.head()
    if revision is None:
        typer.echo("The database has no schema yet: run `standby db upgrade`.")
    elif revision == newest:
        typer.echo(f"Database schema at revision {revision} (newest).")
    else:
        # Not "run upgrade": the database may be ahead, written by a newer Standby.
        typer.echo(f"Database schema at revision {revision}; this Standby expects {newest}.")


def _database_url(db: str | None) -> str | None:
    with fail_on_bad_settings():
        settings = load_settings(DATABASE_URL=db)
    return settings.DATABASE_URL or None


async def _upgrade(url: str | None) -> str | None:
    await migrate.upgrade(url)
    return await migrate.current(url)


def _run(work: Coroutine[Any, Any, T]) -> T:
    # The URL is never echoed: it may hold a password.
    try:
        return asyncio.run(work)
    except ValueError as error:
        typer.echo(f"standby: {error}", err=True)
        raise typer.Exit(EXIT_BAD_SETTING) from None
    except (OSError, SQLAlchemyError) as error:
        typer.echo(f"standby: could not use the database: {error}", err=True)
        raise typer.Exit(1) from None
    except CommandError as error:
        # Typically a revision this Standby does not know: a newer one migrated it.
        typer.echo(f"standby: cannot migrate this database: {error}", err=True)
        raise typer.Exit(1) from None
