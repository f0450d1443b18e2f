"""Every setting: read from the environment; a wrong one is named in one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings

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
    assert settings.listen == ("0.0.0.0", 8080)


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
