"""Every setting: read from the environment; a wrong one is named in one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import MAKE_REPORT_KEY, Settings, SettingsError, load_settings

ALL = (
    "BOT_TOKEN",
    "BOT_API_URL",
    "BOT_FRAMEWORK",
    "DATABASE_URL",
    "ADMIN_IDS",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_LISTEN",
    "FLOWS_DIR",
    "LOCALES_DIR",
    "LOG_LEVEL",
    "REPORT_KEYS",
    "REPORT_RETENTION_DAYS",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ALL:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout


def test_defaults_need_nothing() -> None:
    settings = load_settings()
    assert (settings.BOT_TOKEN, settings.BOT_API_URL, settings.BOT_FRAMEWORK) == (
        "",
        "https://api.telegram.org",
        "aiogram",
    )
    assert settings.ADMIN_IDS == ()
    assert settings.listen == ("127.0.0.1", 8080), "polling: only /healthz, kept local"


def test_every_name_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "BOT_TOKEN": "123456:ABC-def_1",
        "BOT_API_URL": "http://127.0.0.1:8081/",
        "BOT_FRAMEWORK": "ptb",
        "DATABASE_URL": "sqlite:///x.db",
        "ADMIN_IDS": "11, 22",
        "WEBHOOK_URL": "https://bot.example.org/telegram",
        "WEBHOOK_SECRET": "s3cret-_x",
        "WEBHOOK_LISTEN": "127.0.0.1:9000",
        "FLOWS_DIR": "my_flows",
        "LOCALES_DIR": "my_locales",
        "LOG_LEVEL": "debug",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.BOT_API_URL == "http://127.0.0.1:8081"
    assert settings.ADMIN_IDS == (11, 22)
    assert settings.listen == ("127.0.0.1", 9000)
    assert (Path("my_flows"), "DEBUG") == (settings.FLOWS_DIR, settings.LOG_LEVEL)


def test_a_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_FRAMEWORK=ptb\n")
    assert Settings().BOT_FRAMEWORK == "ptb"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "BOT_TOKEN",
            "not-a-token",
            "setting BOT_TOKEN is wrong: should look like 123456789:AAE… "
            "(the token @BotFather gives)",
        ),
        (
            "BOT_FRAMEWORK",
            "telethon",
            "setting BOT_FRAMEWORK is 'telethon': should be one of aiogram, ptb",
        ),
        (
            "BOT_API_URL",
            "api.telegram.org",
            "setting BOT_API_URL is 'api.telegram.org': should be a URL starting with https://",
        ),
        (
            "ADMIN_IDS",
            "12,bob",
            "setting ADMIN_IDS is '12,bob': should be Telegram user ids separated by commas, "
            "e.g. 1234,5678",
        ),
        (
            "WEBHOOK_LISTEN",
            "8080",
            "setting WEBHOOK_LISTEN is '8080': should be host:port, e.g. 0.0.0.0:8080",
        ),
        (
            "WEBHOOK_SECRET",
            "has spaces",
            "setting WEBHOOK_SECRET is wrong: should be 1-256 characters: letters, digits, _ and -",
        ),
        (
            "LOG_LEVEL",
            "loud",
            "setting LOG_LEVEL is 'loud': should be one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
        ),
        (
            "DATABASE_URL",
            "mysql://user:pw@host/db",
            "setting DATABASE_URL is wrong: should be empty (SQLite in ./data/), "
            "sqlite:///path/to/file.db or postgresql://user:password@host:5432/dbname",
        ),
    ],
)
def test_a_wrong_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as wrong:
        load_settings()
    assert str(wrong.value) == message


def test_a_webhook_needs_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/telegram")
    with pytest.raises(SettingsError) as wrong:
        load_settings()
    assert str(wrong.value).startswith(
        "setting WEBHOOK_SECRET is needed when WEBHOOK_URL is set; make one with: "
    )


def test_reports_need_no_keys_and_are_kept_a_year_by_default() -> None:
    settings = load_settings()
    assert (settings.REPORT_KEYS, settings.REPORT_RETENTION_DAYS) == ((), 365)


def test_report_keys_are_read_newest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("REPORT_KEYS", f" {new} , {old},")
    monkeypatch.setenv("REPORT_RETENTION_DAYS", "30")
    settings = load_settings()
    assert ((new, old), 30) == (settings.REPORT_KEYS, settings.REPORT_RETENTION_DAYS)


def test_a_wrong_report_key_is_named_with_how_to_make_one_and_never_echoed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good, bad = Fernet.generate_key().decode(), "not-a-fernet-key-but-secret"
    monkeypatch.setenv("REPORT_KEYS", f"{good},{bad}")
    with pytest.raises(SettingsError) as wrong:
        load_settings()
    message = str(wrong.value)
    assert message.startswith("setting REPORT_KEYS is wrong: should be Fernet keys")
    assert message.endswith(MAKE_REPORT_KEY)
    assert "\n" not in message
    assert bad not in message
    assert good not in message


@pytest.mark.parametrize("days", ["0", "-3", "a year", "1.5"])
def test_report_retention_is_a_positive_whole_number(
    monkeypatch: pytest.MonkeyPatch, days: str
) -> None:
    monkeypatch.setenv("REPORT_RETENTION_DAYS", days)
    with pytest.raises(SettingsError) as wrong:
        load_settings()
    assert str(wrong.value) == (
        f"setting REPORT_RETENTION_DAYS is {days!r}: should be a whole number of days, "
        "1 or more (default 365)"
    )
