"""EVIDENCE_MAX_MB: how large a file sent with a report may be to be kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("EVIDENCE_MAX_MB", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout


def test_ten_megabytes_by_default_and_any_whole_number_given() -> None:
    assert load_settings().EVIDENCE_MAX_MB == 10
    assert load_settings(EVIDENCE_MAX_MB="20").EVIDENCE_MAX_MB == 20


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "ten", "", "2001"])
def test_anything_else_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("EVIDENCE_MAX_MB", value)
    with pytest.raises(SettingsError) as wrong:
        load_settings()
    assert str(wrong.value) == (
        f"setting EVIDENCE_MAX_MB is {value!r}: should be a whole number of megabytes "
        "from 1 to 2000 (default 10)"
    )
