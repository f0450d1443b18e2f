"""`standby reports …` for caseworkers, and `standby purge`.

These read REPORT_KEYS and DATABASE_URL like the bot does. `list` shows no answers; `show`
and `export` decrypt them, so run them only where the screen and the file are safe. A
problem is one line on stderr and exit code 2; nothing here prints a key or a URL.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from bot.bootstrap import report_service
from bot.cli import evidence
from bot.cli.common import (
    EXIT_BAD_SETTING,
    DatabaseOption,
    database_problem,
    day_of,
    fail_on_bad_settings,
)
from bot.config import Settings, load_settings
from bot.services.clock import SystemClock
from bot.services.housekeeping import ReportRetention, Tidied, tidy_once
from bot.services.reports import (
    OpenedReport,
    ReportKeyError,
    ReportService,
    ReportsUnavailableError,
)
from bot.storage import (
    MessageLog,
    ReportRecord,
    SqlSessionStore,
    UpdateLedger,
    make_engine,
    make_sessionmaker,
)
from bot.storage.migrate import upgrade

app = typer.Typer(no_args_is_help=True, add_completion=False)

T = TypeVar("T")
EXPORTED_FIELDS = ("id", "created_at", "updated_at", "consent", "status", "anonymous")
# A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(...) can
# send what is in other cells away): such cells get a leading ' so they stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HASH_SHOWN = 10  # enough to tell reports apart in a list; the full hash is no use to read

SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="Only reports created on or after this day (YYYY-MM-DD, UTC)."),
]


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


class CommandError(Exception):
    """A problem to tell the operator in one line (exit 2)."""


@app.command("list")
def list_reports(since: SinceOption = None, db: DatabaseOption = None) -> None:
    """List reports: when, a short reference hash, consent and status. No answers."""
    since_at = day_of(since)
    records = _run(db, lambda reports: reports.list(since_at), needs_keys=False)
    table = Table("id", "created (UTC)", "reference hash", "consent", "status", "anonymous")
    for record in records:
        table.add_row(
            str(record.id),
            f"{record.created_at:%Y-%m-%d %H:%M}",
            record.reference_hash[:HASH_SHOWN],
            record.consent,
            record.status,
            "yes" if record.contact_id is None else "no",
        )
    Console(highlight=False).print(table)
    typer.echo(f"{len(records)} report(s).")


@app.command()
def show(
    report_id: Annotated[int, typer.Argument(help="The id `list` shows.")],
    db: DatabaseOption = None,
) -> None:
    """Show one report with its answers decrypted, as plain text."""
    _print_one(db, lambda reports: reports.get(report_id), f"there is no report {report_id}")


@app.command()
def find(
    code: Annotated[str, typer.Argument(help="The reference code the person was given.")],
    db: DatabaseOption = None,
) -> None:
    """Show the report a reference code belongs to (someone reading you their code)."""
    missing = "no report has this reference code; check it letter by letter"
    _print_one(db, lambda reports: reports.find(code), missing)


def _print_one(
    db: str | None,
    lookup: Callable[[ReportService], Awaitable[ReportRecord | None]],
    missing: str,
) -> None:
    """Print the report `lookup` finds, decrypted; `missing` is the error when there is none."""

    async def opened(reports: ReportService) -> list[str]:
        record = await lookup(reports)
        if record is None:
            raise CommandError(missing)
        files = [] if reports.evidence is None else await reports.evidence.list(record.id)
        return [*_describe(reports.open(record)), "", *evidence.describe(files)]

    typer.echo("\n".join(_run(db, opened)))


@app.command()
def export(
    kind: Annotated[ExportFormat, typer.Option("--format", help="csv or json.")],
    since: SinceOption = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (else stdout).")
    ] = None,
    evidence_dir: Annotated[
        Path | None,
        typer.Option("--evidence", help="Also write the evidence files, decrypted, here."),
    ] = None,
    db: DatabaseOption = None,
) -> None:
    """Export reports with their answers decrypted, consent and status."""
    since_at = day_of(since)

    async def opened(reports: ReportService) -> list[OpenedReport]:
        found = [reports.open(record) for record in await reports.list(since_at)]
        if evidence_dir is not None:
            written = await _write_evidence(reports, found, evidence_dir)
            typer.echo(f"{written} evidence file(s) written to {evidence_dir}.", err=True)
        return found

    rows = [_exported(report) for report in _run(db, opened)]
    text = (
        _csv(rows)
        if kind is ExportFormat.csv
        else json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    )
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        evidence.write_private(output, text.encode("utf-8"))
    except OSError as error:
        typer.echo(f"standby: cannot write {output}: {error.strerror or error}", err=True)
        raise typer.Exit(EXIT_BAD_SETTING) from None
    typer.echo(f"{len(rows)} report(s) written to {output}.", err=True)


@app.command("rotate-keys")
def rotate_keys(db: DatabaseOption = None) -> None:
    """Re-encrypt every report and evidence file with the first key of REPORT_KEYS.

    Put the new key first in REPORT_KEYS, keep the old ones after it, run this, then
    remove the old keys."""
    count = _run(db, lambda reports: reports.rotate_keys())
    if count.skipped or count.skipped_evidence:
        typer.echo(
            f"{count.skipped} report(s) and {count.skipped_evidence} evidence file(s) could not "
            "be opened with REPORT_KEYS and were left as they were.",
            err=True,
        )
    typer.echo(
        f"{count} report(s) re-encrypted with the first key of REPORT_KEYS, "
        "with their evidence files."
    )


def purge(db: DatabaseOption = None) -> None:
    """Delete now what is past its time: reports older than REPORT_RETENTION_DAYS,
    expired sessions, old update and message ids. (The running bot does this every ten
    minutes too.)"""
    settings = _settings(db)
    tidied = _guarded(_purge(settings))
    typer.echo(
        f"Deleted {tidied.reports} report(s) older than {settings.REPORT_RETENTION_DAYS} days; "
        f"forgot {tidied.sessions} session(s), {tidied.update_ids} update id(s) and "
        f"{tidied.message_ids} message id(s)."
    )


async def _purge(settings: Settings) -> Tidied:
    async with _database(settings) as sessionmaker:
        clock = SystemClock()
        retention = ReportRetention(
            report_service(settings, sessionmaker, clock),
            timedelta(days=settings.REPORT_RETENTION_DAYS),
        )
        return await tidy_once(
            clock,
            SqlSessionStore(sessionmaker),
            UpdateLedger(sessionmaker),
            MessageLog(sessionmaker),
            retention,
        )


def _settings(db: str | None) -> Settings:
    with fail_on_bad_settings():
        return load_settings(DATABASE_URL=db)


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[Any]:
    url = settings.DATABASE_URL or None
    await upgrade(url)
    engine = make_engine(url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


def _run(
    db: str | None,
    work: Callable[[ReportService], Coroutine[Any, Any, T]],
    *,
    needs_keys: bool = True,
) -> T:
    settings = _settings(db)

    async def run() -> T:
        async with _database(settings) as sessionmaker:
            reports = report_service(settings, sessionmaker, SystemClock())
            if needs_keys and not reports.available:
                raise ReportsUnavailableError  # before anything else: "no report 3" misleads
            return await work(reports)

    return _guarded(run())


def _guarded(work: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(work)
    except ReportsUnavailableError:
        problem = "setting REPORT_KEYS is missing: reports cannot be read without their keys"
    except ReportKeyError as error:
        problem = f"setting REPORT_KEYS is wrong: {error}"
    except CommandError as error:
        problem = str(error)
    except ValueError as error:  # an unusable DATABASE_URL
        problem = str(error)
    except (OSError, SQLAlchemyError) as error:
        problem = database_problem(error)
    typer.echo(f"standby: {problem}", err=True)
    raise typer.Exit(EXIT_BAD_SETTING)


async def _write_evidence(reports: ReportService, found: list[OpenedReport], folder: Path) -> int:
    vault = reports.evidence
    if vault is None:
        return 0
    try:
        evidence.make_private_folder(folder)
        written = 0
        for report in found:
            files = await vault.list(report.record.id)
            written += await evidence.write_all(vault, report.record.id, files, folder)
    except OSError as error:
        raise CommandError(
            f"cannot write evidence to {folder}: {error.strerror or error}"
        ) from None
    return written


def _describe(report: OpenedReport) -> list[str]:
    record = report.record
    lines = [
        f"Report {record.id}",
        f"created: {record.created_at:%Y-%m-%d %H:%M} UTC",
        f"updated: {record.updated_at:%Y-%m-%d %H:%M} UTC",
        f"consent: {record.consent}",
        f"status: {record.status}",
        f"anonymous: {'yes' if record.contact_id is None else 'no'}",
        "",
    ]
    lines += [f"{name}: {_plain(value)}" for name, value in report.answers.items()]
    lines += [f"added {item['at']}: {_plain(item['text'])}" for item in report.additions]
    return lines


def _exported(report: OpenedReport) -> dict[str, Any]:
    record: ReportRecord = report.record
    return {
        "id": record.id,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "consent": record.consent,
        "status": record.status,
        "anonymous": record.contact_id is None,
        "answers": report.answers,
        "additions": report.additions,
    }


def _csv(rows: list[dict[str, Any]]) -> str:
    # One column per answer, in the order they first appear (the flow's order).
    names = list(dict.fromkeys(name for row in rows for name in row["answers"]))
    fixed = list(EXPORTED_FIELDS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # the CSV standard: a lone CR stays in its cell
    # Added later with the code: one last column, only when some report has any.
    added = ["additions"] if any(row["additions"] for row in rows) else []
    writer.writerow([_cell(name) for name in [*fixed, *names, *added]])
    for row in rows:
        answers = row["answers"]
        later = [_additions(row["additions"])] if added else []
        cells = [row[name] for name in fixed] + [_plain(answers.get(name)) for name in names]
        writer.writerow([_cell(cell) for cell in cells + later])
    return out.getvalue()


def _cell(value: object) -> object:
    """`value` made safe to open in a spreadsheet: what the person typed is never run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _additions(additions: list[dict[str, Any]]) -> str:
    return "\n".join(f"{item['at']}: {_plain(item['text'])}" for item in additions)


def _plain(value: object) -> str:
    """An answer as text: lists joined, files as their kind and type (never bytes)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    if isinstance(value, dict):
        if "file_id" in value:
            return f"{value.get('kind', 'file')} ({value.get('mime_type') or 'unknown type'})"
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
