"""`standby chat` as a real process: typed lines in, the conversation out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def chat(database: Path, *lines: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "chat",
            "--db",
            f"sqlite:///{database}",
            "--flows",
            str(ROOT / "flows"),
        ],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"},
        check=False,
    )


def test_a_plan_is_walked_and_the_place_survives_a_restart(tmp_path: Path) -> None:
    database = tmp_path / "chat.db"
    first = chat(database, "1", "3", "1", "6", "tomorrow")
    assert first.returncode == 0, first.stderr
    assert "Are you safe right now?" in first.stdout
    assert "[1] Today   [2] Tomorrow" in first.stdout
    assert first.stdout.rstrip().endswith("you ›"), "waits for the next answer"
    assert "Which town or city?" in first.stdout

    again = chat(database, "Leeds", "3")
    assert again.returncode == 0, again.stderr
    shown = again.stdout
    assert shown.index("Which town or city?") < shown.index("Who are you going with?")
    assert "Where: Leeds" in shown
    assert "When: 22 November" in shown or "When: " in shown
    assert "Who with: On my own" in shown


def test_a_bad_setting_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", "mysql://nope"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "standby: setting DATABASE_URL is wrong: should be empty (SQLite in ./data/), "
        "sqlite:///path/to/file.db or postgresql://user:password@host:5432/dbname"
    ]


def test_a_missing_flows_folder_or_an_unknown_language_is_one_line(tmp_path: Path) -> None:
    for arguments, line in (
        (
            ["--flows", str(tmp_path / "nope")],
            f"standby: setting FLOWS_DIR is wrong: there is no folder {tmp_path / 'nope'}",
        ),
        (
            ["--lang", "klingon"],
            "standby: option --lang should be one of ar, bn, en, fa, pl, so, tr, ur",
        ),
    ):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot",
                "chat",
                "--db",
                f"sqlite:///{tmp_path / 'c.db'}",
                *arguments,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            check=False,
            input="",
        )
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [line]


def test_language_changes_at_once_both_ways(tmp_path: Path) -> None:
    """Issue 13: the confirmation and the question after it are already in the new
    language, to Arabic and back to English, in one sitting."""
    shown = chat(tmp_path / "chat.db", "/language", "2", "/language", "1").stdout
    to_arabic = shown.index("شكرًا. سأكتب لكم باللغة العربية.")
    arabic_question = shown.index("هل أنتم بأمان الآن؟", to_arabic)
    to_english = shown.index("Thank you. I will write to you in English.", arabic_question)
    assert shown.index("Are you safe right now?", to_english) > to_english
    assert "Which language would you like?" not in shown[to_arabic:to_english]
