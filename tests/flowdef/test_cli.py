"""`standby flows check`: output for people and for tools, and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import flows as flows_cli

FIXTURES = Path(__file__).parent / "fixtures"
HOME = (
    "spec: 1\nflow: home\nhome: true\nsteps:\n  - id: hi\n    end: Hi\n  - id: old\n    say: Old\n"
)

runner = CliRunner()


@pytest.fixture(autouse=True)
def actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixtures use `submit_report`, whatever actions the services really have."""
    monkeypatch.setattr(flows_cli, "known_actions", lambda: frozenset({"submit_report"}))


def test_good_flows_pass() -> None:
    result = runner.invoke(flows_cli.app, ["check", str(FIXTURES / "good")])

    assert result.exit_code == 0
    assert result.stdout == "4 flows OK\n"


def test_problems_are_listed_one_per_line_then_counted() -> None:
    result = runner.invoke(flows_cli.app, ["check", str(FIXTURES / "broken")])

    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert lines[0] == (
        f"{FIXTURES}/broken/dupkeys.yaml:6: key 'say' appears twice here (first on line 5)"
    )
    assert lines[-1] == "39 errors, 2 warnings in 15 flows"
    assert len(lines) == 42


def test_json_output_for_tools() -> None:
    result = runner.invoke(flows_cli.app, ["check", str(FIXTURES / "broken"), "--format", "json"])

    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert (report["ok"], report["flows"], len(report["problems"])) == (False, 15, 41)
    assert report["problems"][0] == {
        "path": f"{FIXTURES}/broken/dupkeys.yaml",
        "line": 6,
        "flow": "dupkeys",
        "step": None,
        "severity": "error",
        "code": "duplicate_key",
        "message": "key 'say' appears twice here (first on line 5)",
    }


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    (tmp_path / "home.yaml").write_text(HOME, encoding="utf-8")
    warning = f"{tmp_path}/home.yaml:7: step 'old': warning: unreachable: no step leads here\n"

    relaxed = runner.invoke(flows_cli.app, ["check", str(tmp_path)])
    strict = runner.invoke(flows_cli.app, ["check", str(tmp_path), "--strict"])
    strict_json = runner.invoke(
        flows_cli.app, ["check", str(tmp_path), "--strict", "--format", "json"]
    )

    assert (relaxed.exit_code, relaxed.stdout) == (0, warning + "1 warning in 1 flow\n")
    assert (strict.exit_code, strict.stdout) == (1, warning + "1 warning in 1 flow\n")
    assert json.loads(strict_json.stdout)["ok"] is False


def test_the_directory_comes_from_flows_dir_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWS_DIR", str(FIXTURES / "good"))

    result = runner.invoke(flows_cli.app, ["check"])

    assert (result.exit_code, result.stdout) == (0, "4 flows OK\n")


def test_a_missing_directory_exits_with_2(tmp_path: Path) -> None:
    result = runner.invoke(flows_cli.app, ["check", str(tmp_path / "nowhere")])

    assert result.exit_code == 2
    assert result.stderr == f"There is no flows directory at '{tmp_path / 'nowhere'}'.\n"
    assert result.stdout == ""


def test_the_command_is_part_of_standby() -> None:
    from bot.cli import app

    result = runner.invoke(app, ["flows", "check", str(FIXTURES / "good")])

    assert (result.exit_code, result.stdout) == (0, "4 flows OK\n")
