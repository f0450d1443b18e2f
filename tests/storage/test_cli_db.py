"""`standby db upgrade` and `standby db current`."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bot.cli.db import app
from bot.storage.database import make_engine
from bot.storage.migrate import head

runner = CliRunner()


def test_upgrade_migrates_and_prints_the_revision(empty_database_url: str) -> None:
    result = runner.invoke(app, ["upgrade", "--db", empty_database_url])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"Database schema at revision {head()} (newest).\n"


def test_current_says_when_there_is_no_schema_yet(empty_database_url: str) -> None:
    result = runner.invoke(app, ["current", "--db", empty_database_url])

    assert result.exit_code == 0, result.output
    assert "no schema yet: run `standby db upgrade`" in result.stdout


def test_current_after_upgrade_is_the_newest(empty_database_url: str) -> None:
    runner.invoke(app, ["upgrade", "--db", empty_database_url])

    result = runner.invoke(app, ["current", "--db", empty_database_url])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"Database schema at revision {head()} (newest).\n"


def test_the_url_can_come_from_database_url(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_database_url)

    upgraded = runner.invoke(app, ["upgrade"])
    current = runner.invoke(app, ["current"])

    assert upgraded.exit_code == 0, upgraded.output
    assert "(newest)" in current.stdout


@pytest.mark.parametrize("url", ["mysql://u@db/standby", "postgresql+psycopg2://u@db/standby"])
def test_an_unusable_url_is_one_line_naming_the_setting(url: str) -> None:
    result = runner.invoke(app, ["upgrade", "--db", url])

    assert result.exit_code == 2
    assert "DATABASE_URL" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_an_unreachable_database_fails_without_showing_the_password() -> None:
    url = "postgresql://standby:s3cret@127.0.0.1:1/standby"

    result = runner.invoke(app, ["current", "--db", url])

    assert result.exit_code == 1
    assert "could not use the database" in result.stderr
    assert "s3cret" not in result.output


async def stamp(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :r"), {"r": revision}
            )
    finally:
        await engine.dispose()


def test_a_database_from_a_newer_standby_is_left_alone(empty_database_url: str) -> None:
    runner.invoke(app, ["upgrade", "--db", empty_database_url])
    asyncio.run(stamp(empty_database_url, "9999"))

    current = runner.invoke(app, ["current", "--db", empty_database_url])
    upgraded = runner.invoke(app, ["upgrade", "--db", empty_database_url])

    assert current.stdout == f"Database schema at revision 9999; this Standby expects {head()}.\n"
    assert upgraded.exit_code == 1
    assert "cannot migrate this database" in upgraded.stderr
    assert "9999" in upgraded.stderr
