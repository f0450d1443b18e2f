"""STAFF_CHAT_ID: empty by default, a negative group id when set, one clear line if not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("STAFF_CHAT_ID", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout


@pytest.mark.parametrize("value", [None, "", "  "])
def test_no_staff_chat_unless_set(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is not None:
        monkeypatch.setenv("STAFF_CHAT_ID", value)
    assert load_settings().STAFF_CHAT_ID is None


def test_a_group_id_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAFF_CHAT_ID", " -1001234567890 ")
    assert load_settings().STAFF_CHAT_ID == -1001234567890


@pytest.mark.parametrize("value", ["1234", "0", "staff", "-12a", "-"])
def test_anything_but_a_negative_id_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("STAFF_CHAT_ID", value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value) == (
        f"setting STAFF_CHAT_ID is {value!r}: should be the staff group's chat id, a negative "
        "number like -1001234567890 (docs/deploy.md says how to find it)"
    )
