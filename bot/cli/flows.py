"""`standby flows …`: commands for the volunteers who write conversation flows."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.flowdef import LoadResult, load_flows

app = typer.Typer(help="Work with conversation flows (YAML files).", no_args_is_help=True)


class OutputFormat(StrEnum):
    """How `check` prints its findings."""

    TEXT = "text"
    JSON = "json"


def known_actions() -> frozenset[str]:
    """The action names the services can run.

    Imported only when `check` runs, so importing this module (and testing it with
    other actions) never loads the services package.
    """
    from bot.services.actions import ACTION_NAMES

    return frozenset(ACTION_NAMES)


@app.callback()
def flows() -> None:
    """Work with conversation flows (YAML files)."""


@app.command()
def check(
    directory: Annotated[
        Path,
        typer.Argument(
            envvar="FLOWS_DIR", help="The flows directory (default: $FLOWS_DIR, flows)."
        ),
    ] = Path("flows"),
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text for people, json for tools.")
    ] = OutputFormat.TEXT,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check every flow in DIRECTORY, and its data files (data/helplines.yaml,
    data/areas.yaml, data/alerts.yaml), and list all problems, with file and line.

    Exits 0 when the flows can be used, 1 when there are errors (or warnings, with
    --strict), 2 when the directory does not exist. Notices (helplines due for a check)
    never fail it.
    """
    if not directory.is_dir():
        typer.echo(f"There is no flows directory at '{directory}'.", err=True)
        raise typer.Exit(2)
    result = load_flows(directory, known_actions=known_actions())
    failed = bool(result.errors) or (strict and bool(result.warnings))
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(_as_json(result, ok=not failed), ensure_ascii=False, indent=2))
    else:
        for problem in result.problems:
            typer.echo(str(problem))
        typer.echo(summary(result))
    raise typer.Exit(1 if failed else 0)


def summary(result: LoadResult) -> str:
    """`2 errors, 1 warning in 7 flows`, `7 flows OK`, or with data files
    `7 flows and 21 helplines OK, 21 notices`, `7 flows, 21 helplines and 45 areas OK`."""
    counted = [_count(len(result.files), "flow")]
    counted += [_count(number, noun) for noun, number in _data_counts(result).items()]
    checked = ", ".join(counted[:-1]) + f" and {counted[-1]}" if len(counted) > 1 else counted[0]
    failing = (result.errors, "error"), (result.warnings, "warning")
    counts = [_count(len(found), name) for found, name in failing if found]
    notices = f", {_count(len(result.notices), 'notice')}" if result.notices else ""
    if counts:
        return f"{', '.join(counts)}{notices} in {checked}"
    return f"{checked} OK{notices}"


def _data_counts(result: LoadResult) -> dict[str, int]:
    """How many entries each data file the folder has holds (a file it lacks: none)."""
    found = {
        "helpline": result.helplines,
        "area": result.areas,
        "alert template": result.alert_templates,
    }
    return {noun: len(content) for noun, content in found.items() if content is not None}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _as_json(result: LoadResult, *, ok: bool) -> dict[str, object]:
    fields = ("path", "line", "flow", "step", "severity", "code", "message")
    problems = [{name: getattr(problem, name) for name in fields} for problem in result.problems]
    found: dict[str, object] = {"ok": ok, "flows": len(result.files)}
    for noun, number in _data_counts(result).items():
        found[noun.replace(" ", "_") + "s"] = number  # helplines, areas, alert_templates
    return {**found, "problems": problems}
