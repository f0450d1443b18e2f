"""`standby broadcast …`: the admins' broadcast commands, from a terminal on the server.

The running bot processes deliver; these commands write, approve, cancel and follow. A
terminal user counts as an admin named `cli:<login>` in the audit log and approvals.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.common import (
    EXIT_BAD_SETTING,
    DatabaseOption,
    database_problem,
    fail_on_bad_settings,
)
from bot.config import Settings, load_settings
from bot.flowdef.alerts import AlertTemplates
from bot.flowdef.areas import AreaDirectory
from bot.i18n import LANGUAGES, translator_for
from bot.services.actions import ACTION_NAMES
from bot.services.broadcasts.compose import (
    MAX_ALERT_TEXT,
    AlertComposer,
    AlertContent,
    ContentError,
)
from bot.services.broadcasts.desk import Actor, Approval, BroadcastDesk, NotAllowedError
from bot.services.broadcasts.progress import final_report
from bot.services.broadcasts.typed import (
    LONDON,
    InputError,
    read_date,
    read_moment,
    read_time,
)
from bot.services.clock import SystemClock
from bot.services.library import FlowLibrary, FlowsInvalidError
from bot.storage import make_engine, make_sessionmaker
from bot.storage.audit import AuditLog
from bot.storage.broadcasts import BroadcastRecord, BroadcastRepository, DeliveryCounts
from bot.storage.migrate import upgrade
from bot.storage.roles import RoleRepository
from bot.storage.subscriptions import SubscriptionRepository

app = typer.Typer(no_args_is_help=True, add_completion=False)
T = TypeVar("T")
# Without progress for this long, the bot is probably not running.
STALLED_AFTER = 30.0
POLL_EVERY = 1.0
FINISHED = ("done", "cancelled")

AreaOption = Annotated[
    list[str],
    typer.Option("--area", help="An area id from flows/data/areas.yaml (repeat for more)."),
]


class CommandError(Exception):
    """A problem to tell the operator in one line (exit 2)."""


@app.command()
def send(
    area: AreaOption,
    template: Annotated[
        str | None, typer.Option("--template", help="A template id from flows/data/alerts.yaml.")
    ] = None,
    values: Annotated[
        list[str] | None,
        typer.Option("--set", help="A template blank: name=value (dates 14/12/2026, times 14:00)."),
    ] = None,
    text: Annotated[
        str | None,
        typer.Option("--text", help="Your own alert, in English (instead of a template)."),
    ] = None,
    translations: Annotated[
        list[str] | None,
        typer.Option("--translation", help="The same text in another language: ar=… (repeat)."),
    ] = None,
    language: Annotated[
        list[str] | None,
        typer.Option("--language", help="Only subscribers writing in this language (repeat)."),
    ] = None,
    expires: Annotated[
        str | None,
        typer.Option(
            "--expires", help="Nothing is delivered after this London time: '14/12/2026 18:00'."
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Send without asking to confirm.")] = False,
    wait: Annotated[bool, typer.Option(help="Follow the delivery until it ends.")] = True,
    db: DatabaseOption = None,
) -> None:
    """Write an alert, preview it in every language, and send it to the subscribers of the
    areas (and of the areas in and around them)."""
    settings = settings_for(db)

    async def work(desk: BroadcastDesk) -> BroadcastRecord:
        now = desk.now()
        content = _content(desk, template, values or [], text, translations or [], now)
        unknown = [a for a in area if desk.areas.get(a) is None]
        if unknown:
            raise CommandError(f"unknown area(s): {', '.join(unknown)} (see flows/data/areas.yaml)")
        chosen = _languages(language)
        expires_at = None if expires is None else _moment(expires, now)
        actor = terminal_actor()
        record = await desk.repository.create(
            kind="alert",
            content=content.as_json(),
            areas=area,
            created_by=actor.key,
            now=now,
            languages=chosen,
            expires_at=expires_at,
        )
        recipients = await desk.recipients(area, chosen)
        _show_previews(desk, record, recipients.by_language)
        return await _confirm_and_submit(desk, record, recipients.total, actor, yes)

    record = run_with_desk(settings, work)
    if wait and record.status == "sending":
        _follow(settings, record.id)


@app.command()
def deliver(db: DatabaseOption = None) -> None:
    """Only deliver broadcasts (no conversations), beside the bots, on PostgreSQL: more
    senders share a broadcast without doubling it, within BROADCAST_RATE (shared through
    REDIS_URL)."""
    from bot.adapters.telegram.runtime import deliver_until_signalled
    from bot.config import configure_logging

    settings = settings_for(db)
    if not settings.BOT_TOKEN:
        typer.echo(
            "standby: setting BOT_TOKEN is missing: delivering needs the bot's token", err=True
        )
        raise typer.Exit(EXIT_BAD_SETTING)
    configure_logging(settings.LOG_LEVEL)
    with fail_on_bad_settings(), contextlib.suppress(KeyboardInterrupt):
        asyncio.run(deliver_until_signalled(settings))


@app.command()
def correct(
    broadcast_id: Annotated[int, typer.Argument(help="The alert to correct.")],
    text: Annotated[str, typer.Option("--text", help="The correction, in English.")],
    translations: Annotated[
        list[str] | None,
        typer.Option("--translation", help="The same text in another language: ar=… (repeat)."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Send without asking to confirm.")] = False,
    wait: Annotated[bool, typer.Option(help="Follow the delivery until it ends.")] = True,
    db: DatabaseOption = None,
) -> None:
    """Send a correction to exactly the people who received alert BROADCAST_ID."""
    _follow_up(db, broadcast_id, "correction", _free_text(text, translations or []), yes, wait)


@app.command()
def retract(
    broadcast_id: Annotated[int, typer.Argument(help="The alert to withdraw.")],
    note: Annotated[str | None, typer.Option("--note", help="A short note, in English.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Send without asking to confirm.")] = False,
    wait: Annotated[bool, typer.Option(help="Follow the delivery until it ends.")] = True,
    db: DatabaseOption = None,
) -> None:
    """Tell everyone who received alert BROADCAST_ID to ignore it (and stop sending it)."""
    _follow_up(db, broadcast_id, "retraction", AlertContent(note=note), yes, wait)


@app.command()
def approve(
    broadcast_id: Annotated[int, typer.Argument(help="The broadcast waiting for approval.")],
    wait: Annotated[bool, typer.Option(help="Follow the delivery until it ends.")] = True,
    db: DatabaseOption = None,
) -> None:
    """Approve a broadcast another admin wrote (BROADCAST_APPROVALS)."""
    settings = settings_for(db)

    async def work(desk: BroadcastDesk) -> tuple[Approval, BroadcastRecord | None]:
        return await desk.approve(broadcast_id, terminal_actor())

    outcome, record = run_with_desk(settings, work)
    messages = {
        Approval.STARTED: f"Approved: broadcast #{broadcast_id} is being sent.",
        Approval.RECORDED: f"Approved: broadcast #{broadcast_id} needs more approvals.",
        Approval.ALREADY: f"You already agreed to broadcast #{broadcast_id}: another admin must.",
        Approval.NOT_WAITING: f"Broadcast #{broadcast_id} is not waiting for approval.",
    }
    typer.echo(messages[outcome])
    if outcome in (Approval.NOT_WAITING, Approval.ALREADY):
        raise typer.Exit(1)
    if wait and outcome is Approval.STARTED and record is not None:
        _follow(settings, record.id)


@app.command()
def cancel(
    broadcast_id: Annotated[int, typer.Argument(help="The broadcast to stop.")],
    db: DatabaseOption = None,
) -> None:
    """Stop a broadcast: what is not sent yet will not be."""
    settings = settings_for(db)

    async def work(desk: BroadcastDesk) -> BroadcastRecord | None:
        return await desk.cancel(broadcast_id, terminal_actor())

    if run_with_desk(settings, work) is None:
        typer.echo(f"Broadcast #{broadcast_id} is not running or waiting: nothing to cancel.")
        raise typer.Exit(1)
    typer.echo(f"Broadcast #{broadcast_id} cancelled.")


@app.command()
def status(
    broadcast_id: Annotated[
        int | None, typer.Argument(help="One broadcast (else recent ones).")
    ] = None,
    watch: Annotated[bool, typer.Option("--watch", help="Follow it until it ends.")] = False,
    db: DatabaseOption = None,
) -> None:
    """How broadcasts are doing: sent, blocked, failed, expired."""
    settings = settings_for(db)
    if broadcast_id is not None and watch:
        _follow(settings, broadcast_id)
        return

    async def work(desk: BroadcastDesk) -> list[tuple[BroadcastRecord, DeliveryCounts]]:
        if broadcast_id is not None:
            found = await desk.status(broadcast_id)
            if found is None:
                raise CommandError(f"there is no broadcast {broadcast_id}")
            return [found]
        records = await desk.repository.with_status(limit=20)
        return [(r, await desk.repository.counts(r.id)) for r in records]

    found = run_with_desk(settings, work)
    table = Table(
        "#", "kind", "status", "created (UTC)", "by", "sent", "blocked", "failed", "expired", "of"
    )
    for record, counts in found:
        table.add_row(
            str(record.id),
            record.kind,
            record.status,
            f"{record.created_at:%Y-%m-%d %H:%M}",
            record.created_by,
            *(f"{counts[s]:,}" for s in ("sent", "blocked", "failed", "expired")),
            f"{counts.total:,}",
        )
    Console(highlight=False).print(table)
    if broadcast_id is not None and found[0][0].status in FINISHED:
        typer.echo(final_report(*found[0]))


def _follow_up(
    db: str | None, original: int, kind: str, content: AlertContent, yes: bool, wait: bool
) -> None:
    settings = settings_for(db)

    async def work(desk: BroadcastDesk) -> BroadcastRecord:
        actor = terminal_actor()
        try:
            record = await desk.follow_up(original, actor, kind=kind, content=content)
        except LookupError as error:
            raise CommandError(str(error)) from None
        recipients = await desk.correction_recipients(original)
        _show_previews(desk, record, recipients.by_language)
        return await _confirm_and_submit(desk, record, recipients.total, actor, yes)

    record = run_with_desk(settings, work)
    if wait and record.status == "sending":
        _follow(settings, record.id)


async def _confirm_and_submit(
    desk: BroadcastDesk, record: BroadcastRecord, total: int, actor: Actor, yes: bool
) -> BroadcastRecord:
    if total == 0:
        await desk.cancel(record.id, actor)
        raise CommandError(
            "nobody would receive it: no reachable subscriber in those areas and languages"
        )
    question = f"Send broadcast #{record.id} to {total:,} people?"
    if not yes and not typer.confirm(question, default=False):
        await desk.cancel(record.id, actor)
        raise CommandError("not sent")
    submitted = await desk.submit(record.id, actor)
    if submitted is None:
        raise CommandError(f"broadcast #{record.id} is no longer a draft")
    if submitted.recipients is None:
        more = submitted.needed - submitted.approvals
        typer.echo(
            f"Broadcast #{record.id} waits for {more} more admin(s) to approve it: "
            f"/approve {record.id} in Telegram, or `standby broadcast approve {record.id}`."
        )
    else:
        typer.echo(
            f"Broadcast #{record.id} is being sent to {submitted.recipients:,} people "
            f"(`standby broadcast status {record.id} --watch` follows it)."
        )
    return submitted.record


def _show_previews(
    desk: BroadcastDesk, record: BroadcastRecord, by_language: dict[str, int]
) -> None:
    console = Console(highlight=False)
    for code in sorted(by_language, key=lambda c: -by_language[c]) or ["en"]:
        try:
            text = desk.preview(record, code)
        except ContentError as error:
            raise CommandError(f"the alert cannot be written out: {error}") from None
        count = by_language.get(code, 0)
        title = f"{code} · {count:,} {'person' if count == 1 else 'people'}"
        console.print(Panel(text, title=title, expand=False))


def _follow(settings: Settings, broadcast_id: int) -> None:
    """A progress bar until the broadcast ends, then its final report."""

    async def follow(desk: BroadcastDesk) -> str:
        columns = (
            TextColumn("#{task.fields[number]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeRemainingColumn(),
        )
        last_change, last_done = time.monotonic(), -1
        with Progress(*columns, console=Console(stderr=True)) as bar:
            task = bar.add_task("sending", total=None, number=broadcast_id, note="")
            while True:
                found = await desk.status(broadcast_id)
                if found is None:
                    raise CommandError(f"there is no broadcast {broadcast_id}")
                record, counts = found
                done = counts.total - counts.open
                if done != last_done:
                    last_change, last_done = time.monotonic(), done
                stalled = (
                    time.monotonic() - last_change > STALLED_AFTER and record.status == "sending"
                )
                note = "no progress: is `standby run` running?" if stalled else _note(counts)
                bar.update(task, total=counts.total or None, completed=done, note=note)
                if record.status in FINISHED:
                    return final_report(record, counts)
                await asyncio.sleep(POLL_EVERY)

    typer.echo(run_with_desk(settings, follow))


def _note(counts: DeliveryCounts) -> str:
    parts = [f"{counts[s]:,} {s}" for s in ("blocked", "failed", "expired") if counts[s]]
    return " · ".join(parts)


def _content(
    desk: BroadcastDesk,
    template: str | None,
    values: list[str],
    text: str | None,
    translations: list[str],
    now: datetime,
) -> AlertContent:
    if (template is None) == (text is None):
        raise CommandError("give either --template (with --set) or --text")
    if text is not None:
        return _free_text(text, translations)
    try:
        chosen = desk.composer.template(template or "")
    except ContentError as error:
        raise CommandError(str(error)) from None
    given = dict(_pairs(values, "--set"))
    fields: dict[str, str] = {}
    for field in chosen.fields:
        raw = given.pop(field.name, None)
        if raw is None:
            raise CommandError(f"template {chosen.id} needs --set {field.name}=… ({field.ask})")
        try:
            if field.kind == "date":
                today = now.astimezone(LONDON).date()
                raw = read_date(raw, today, not_before=today).isoformat()
            elif field.kind == "time":
                raw = read_time(raw).strftime("%H:%M")
        except InputError as error:
            raise CommandError(f"--set {field.name}: {error}") from None
        fields[field.name] = raw
    if given:
        raise CommandError(f"template {chosen.id} has no blank named {', '.join(given)}")
    return AlertContent(template=chosen.id, fields=fields)


def _free_text(text: str, translations: list[str]) -> AlertContent:
    texts = {"en": text, **dict(_pairs(translations, "--translation"))}
    for code, written in texts.items():
        if code not in LANGUAGES:
            raise CommandError(
                f"--translation {code}: Standby speaks {', '.join(sorted(LANGUAGES))}"
            )
        if not written.strip() or len(written) > MAX_ALERT_TEXT:
            raise CommandError(f"the {code} text should be 1 to {MAX_ALERT_TEXT} characters")
    return AlertContent(texts=texts)


def _pairs(items: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise CommandError(f"{option} takes name=value, got {item!r}")
        pairs.append((name.strip(), value.strip()))
    return pairs


def _languages(chosen: list[str] | None) -> list[str] | None:
    if not chosen:
        return None
    unknown = [code for code in chosen if code not in LANGUAGES]
    if unknown:
        raise CommandError(
            f"--language {unknown[0]}: Standby speaks {', '.join(sorted(LANGUAGES))}"
        )
    return sorted(set(chosen))


def _moment(text: str, now: datetime) -> datetime:
    try:
        return read_moment(text, now)
    except InputError as error:
        raise CommandError(f"--expires: {error}") from None


def terminal_actor() -> Actor:
    """Whoever runs these commands, as the audit log and approvals name them."""
    return BroadcastDesk.terminal_actor(getpass.getuser())


def settings_for(db: str | None) -> Settings:
    with fail_on_bad_settings():
        return load_settings(DATABASE_URL=db)


@asynccontextmanager
async def open_desk(settings: Settings, *, flows: bool = True) -> AsyncIterator[BroadcastDesk]:
    """A desk over the database and the flows folder's areas and templates (no Telegram:
    the bot processes deliver). Without `flows` (roles, the audit log), no areas or
    templates, so broken flows never stand in the way."""
    areas, templates = AreaDirectory(()), AlertTemplates(())
    if flows:
        # The library's reminders (helplines to check) are for the bot's log, not here.
        logging.getLogger("bot.services.library").setLevel(logging.ERROR)
        try:
            library = FlowLibrary(settings.FLOWS_DIR, ACTION_NAMES)
        except FlowsInvalidError as error:
            raise CommandError(f"{error}: run `standby flows check`") from None
        areas, templates = library.areas, library.alert_templates
    url = settings.DATABASE_URL or None
    await upgrade(url)
    engine = make_engine(url)
    try:
        sessionmaker = make_sessionmaker(engine)
        composer = AlertComposer(
            lambda: templates,
            lambda: areas,
            lambda language: translator_for(language, settings.LOCALES_DIR),
        )
        yield BroadcastDesk(
            repository=BroadcastRepository(sessionmaker),
            subscriptions=SubscriptionRepository(sessionmaker),
            roles=RoleRepository(sessionmaker),
            audit=AuditLog(sessionmaker),
            composer=composer,
            areas=lambda: areas,
            clock=SystemClock(),
            admin_ids=settings.ADMIN_IDS,
            approvals_needed=settings.BROADCAST_APPROVALS,
            rate=settings.BROADCAST_RATE,
        )
    finally:
        await engine.dispose()


def run_with_desk(
    settings: Settings,
    work: Callable[[BroadcastDesk], Coroutine[Any, Any, T]],
    *,
    flows: bool = True,
) -> T:
    async def run() -> T:
        async with open_desk(settings, flows=flows) as desk:
            return await work(desk)

    try:
        return asyncio.run(run())
    except (CommandError, NotAllowedError) as error:
        problem = str(error)
    except ValueError as error:  # an unusable DATABASE_URL
        problem = str(error)
    except (OSError, SQLAlchemyError) as error:
        problem = database_problem(error)
    typer.echo(f"standby: {problem}", err=True)
    raise typer.Exit(EXIT_BAD_SETTING)
