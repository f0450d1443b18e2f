"""Settings from the environment (and a `.env` file), under names operators rely on.

A wrong setting stops Standby with one line that names the variable and says what it
should be, rather than a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    DATABASE_URL: str = ""
    FLOWS_DIR: Path = Path("flows")
    LOCALES_DIR: Path = Path("locales")
    LOG_LEVEL: str = "INFO"

    @field_validator("DATABASE_URL")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgres")):
            raise ValueError(
                "should be empty (SQLite in ./data/), sqlite:///path/to/file.db "
                "or postgresql://user:password@host:5432/dbname"
            )
        return value

    @field_validator("LOG_LEVEL")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"should be one of {', '.join(LOG_LEVELS)}")
        return value.upper()


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; `overrides` (e.g. from command-line options) win when not None."""
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"setting {name} {_got(first)}{reason}") from None


def _got(error: Any) -> str:
    value = error.get("input")
    return f"is {value!r}: " if isinstance(value, str) else "is wrong: "


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
