"""Settings from the environment (and a `.env` file), under names operators rely on.

A wrong setting stops Standby with one line that names the variable and says what it
should be, rather than a traceback.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Any

from cryptography.fernet import Fernet
from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.logformat import PrivateFormatter

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
FRAMEWORKS = ("aiogram", "ptb")
WEBHOOK_HOST, POLLING_HOST, DEFAULT_PORT = "0.0.0.0", "127.0.0.1", 8080
MAX_EVIDENCE_MB = 2000
# Telegram: about 30 messages per second for free, up to 1000 with allow_paid_broadcast.
FREE_RATE, PAID_RATE = 30.0, 1000.0
MAX_APPROVALS = 10
SENSITIVE = ("TOKEN", "SECRET", "DATABASE_URL", "KEY", "REDIS_URL")
MAKE_REPORT_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    BOT_TOKEN: str = ""
    BOT_API_URL: str = "https://api.telegram.org"
    BOT_FRAMEWORK: str = "aiogram"
    DATABASE_URL: str = ""
    ADMIN_IDS: Annotated[tuple[int, ...], NoDecode] = ()
    WEBHOOK_URL: str = ""
    WEBHOOK_SECRET: str = ""
    # Empty: 0.0.0.0:8080 with a webhook (Telegram reaches it through a proxy), else
    # 127.0.0.1:8080 (only /healthz, which nothing outside this machine needs).
    WEBHOOK_LISTEN: str = ""
    FLOWS_DIR: Path = Path("flows")
    LOCALES_DIR: Path = Path("locales")
    LOG_LEVEL: str = "INFO"
    # Fernet keys, newest first: the first encrypts reports, every one decrypts them.
    REPORT_KEYS: Annotated[tuple[str, ...], NoDecode] = ()
    REPORT_RETENTION_DAYS: int = 365
    # Photos and files larger than this are not fetched with a report (only noted).
    EVIDENCE_MAX_MB: int = 10
    # The caseworkers' Telegram group: shareable reports are posted there to be claimed.
    STAFF_CHAT_ID: int | None = None
    # Broadcast alerts: messages per second overall (Telegram allows about 30; the rest is
    # left for conversations), paid broadcasts (up to 1000/s, 0.1 Star each), how many
    # admins must agree before an alert goes, and Redis for one rate shared by processes.
    BROADCAST_RATE: float = 25.0
    BROADCAST_PAID: bool = False
    BROADCAST_APPROVALS: int = 1
    REDIS_URL: str = ""

    @field_validator("BOT_TOKEN")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        if value and not TOKEN.fullmatch(value):
            raise ValueError("should look like 123456789:AAE… (the token @BotFather gives)")
        return value

    @field_validator("BOT_API_URL", "WEBHOOK_URL")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("should be a URL starting with https://")
        return value.rstrip("/")

    @field_validator("BOT_FRAMEWORK")
    @classmethod
    def _framework(cls, value: str) -> str:
        if value not in FRAMEWORKS:
            raise ValueError(f"should be one of {', '.join(FRAMEWORKS)}")
        return value

    @field_validator("ADMIN_IDS", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return tuple(int(part) for part in value.split(",") if part.strip())
        except ValueError:
            message = "should be Telegram user ids separated by commas, e.g. 1234,5678"
            raise ValueError(message) from None

    @field_validator("WEBHOOK_SECRET")
    @classmethod
    def _secret(cls, value: str) -> str:
        if value and not SECRET.fullmatch(value):
            raise ValueError("should be 1-256 characters: letters, digits, _ and -")
        return value

    @field_validator("WEBHOOK_LISTEN")
    @classmethod
    def _listen(cls, value: str) -> str:
        if not value:
            return value  # the default for the mode (`listen`)
        host, _, port = value.rpartition(":")
        if not host or not port.isdecimal() or int(port) > 65535:
            raise ValueError("should be host:port, e.g. 0.0.0.0:8080")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.WEBHOOK_URL and not self.WEBHOOK_SECRET:
            raise ValueError(
                "WEBHOOK_SECRET is needed when WEBHOOK_URL is set; make one with: "
                'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        return self

    @property
    def listen(self) -> tuple[str, int]:
        """Where the web server listens: WEBHOOK_LISTEN, or the default for the mode."""
        if not self.WEBHOOK_LISTEN:
            return (WEBHOOK_HOST if self.WEBHOOK_URL else POLLING_HOST), DEFAULT_PORT
        host, _, port = self.WEBHOOK_LISTEN.rpartition(":")
        return host.strip("[]"), int(port)

    @field_validator("DATABASE_URL")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgres")):
            raise ValueError(
                "should be empty (SQLite in ./data/), sqlite:///path/to/file.db "
                "or postgresql://user:password@host:5432/dbname"
            )
        return value

    @field_validator("REPORT_KEYS", mode="before")
    @classmethod
    def _report_keys(cls, value: object) -> object:
        keys = value.split(",") if isinstance(value, str) else value
        if not isinstance(keys, list | tuple):
            return value
        keys = tuple(str(key).strip() for key in keys if str(key).strip())
        for key in keys:
            try:
                Fernet(key)
            except ValueError:
                # Never the key itself: it is the one secret that opens every report.
                raise ValueError(
                    "should be Fernet keys separated by commas (newest first); make one with: "
                    + MAKE_REPORT_KEY
                ) from None
        return keys

    @field_validator("REPORT_RETENTION_DAYS", mode="before")
    @classmethod
    def _retention(cls, value: object) -> object:
        text = str(value).strip()
        if not text.isdecimal() or int(text) < 1:
            raise ValueError("should be a whole number of days, 1 or more (default 365)")
        return int(text)

    @field_validator("STAFF_CHAT_ID", mode="before")
    @classmethod
    def _staff_chat(cls, value: object) -> object:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if not text.removeprefix("-").isdecimal() or int(text) >= 0:
            raise ValueError(
                "should be the staff group's chat id, a negative number like -1001234567890 "
                "(docs/deploy.md says how to find it)"
            )
        return int(text)

    @field_validator("BROADCAST_RATE", mode="before")
    @classmethod
    def _rate_number(cls, value: object) -> object:
        try:
            return float(str(value).strip())
        except ValueError:
            raise ValueError("should be messages per second, a number such as 25") from None

    @field_validator("BROADCAST_PAID", mode="before")
    @classmethod
    def _paid(cls, value: object) -> object:
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("", "0", "false", "no", "off"):
            return False
        raise ValueError("should be 1 (paid broadcasts, up to 1000 messages/s) or 0 (default)")

    @field_validator("BROADCAST_APPROVALS", mode="before")
    @classmethod
    def _approvals(cls, value: object) -> object:
        text = str(value).strip()
        if not text.isdecimal() or not 1 <= int(text) <= MAX_APPROVALS:
            raise ValueError(
                f"should be how many admins must agree before an alert is sent, 1 to "
                f"{MAX_APPROVALS} (default 1: the admin who writes it)"
            )
        return int(text)

    @field_validator("REDIS_URL")
    @classmethod
    def _redis(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("should look like redis://localhost:6379/0 (or empty: no Redis)")
        return value

    @model_validator(mode="after")
    def _broadcast_rate(self) -> Settings:
        ceiling = PAID_RATE if self.BROADCAST_PAID else FREE_RATE
        if not 0 < self.BROADCAST_RATE <= ceiling:
            paid = "" if self.BROADCAST_PAID else " (up to 1000 with BROADCAST_PAID=1)"
            raise ValueError(
                f"BROADCAST_RATE is wrong: it should be messages per second, more than 0 and "
                f"at most {ceiling:g}{paid}; default 25"
            )
        return self

    @field_validator("EVIDENCE_MAX_MB", mode="before")
    @classmethod
    def _evidence_size(cls, value: object) -> object:
        text = str(value).strip()
        # Telegram lets bots download 20 MB at most (a local Bot API server, 2000 MB).
        if not text.isdecimal() or not 1 <= int(text) <= MAX_EVIDENCE_MB:
            raise ValueError(
                f"should be a whole number of megabytes from 1 to {MAX_EVIDENCE_MB} (default 10)"
            )
        return int(text)

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
        reason = str(first["msg"]).removeprefix("Value error, ")
        if not first["loc"]:  # a rule about two settings together names them itself
            raise SettingsError(f"setting {reason}") from None
        raise SettingsError(f"setting {first['loc'][0]} {_got(first)}{reason}") from None


def _got(error: Any) -> str:
    value, name = error.get("input"), str(error["loc"][0])
    if isinstance(value, str) and not any(word in name for word in SENSITIVE):
        return f"is {value!r}: "
    return "is wrong: "  # never echo a secret (a database URL may hold a password)


# Libraries whose INFO lines carry what must not be logged: httpx logs every request URL,
# which holds the bot token; aiogram logs each update it handles.
QUIET_LOGGERS = ("httpx", "httpcore", "aiogram.event", "aiohttp.access")


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    # Tracebacks keep exception messages (which may quote people) for DEBUG only.
    handler.setFormatter(PrivateFormatter(reveal=level == "DEBUG"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
