"""`standby admins …` (roles for broadcasts) and `standby audit` (who did what)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.broadcast import run_with_desk, settings_for, terminal_actor
from bot.cli.common import DatabaseOption, day_of
from bot.services.broadcasts.desk import BroadcastDesk
from bot.storage.audit import AuditRecord
from bot.storage.roles import RoleGrant
from bot.storage.tables import STAFF_ROLES

admins = typer.Typer(no_args_is_help=True, add_completion=False)

RoleOption = Annotated[
    str,
    typer.Option(
        "--role", help="admin (everything), sender (writes and sends) or approver (approves)."
    ),
]
UserArgument = Annotated[int, typer.Argument(help="Their Telegram user id (a number).")]


def _actor() -> str:
    return terminal_actor().key


def _role(role: str) -> str:
    if role not in STAFF_ROLES:
        raise typer.BadParameter(f"should be one of {', '.join(STAFF_ROLES)}", param_hint="--role")
    return role


@admins.command("add")
def add(user_id: UserArgument, role: RoleOption = "sender", db: DatabaseOption = None) -> None:
    """Give a Telegram user a role. ADMIN_IDS are always admins."""
    chosen = _role(role)

    async def work(desk: BroadcastDesk) -> bool:
        added = await desk.roles.grant(user_id, chosen, by=_actor(), now=desk.now())
        if added:
            await desk.audit.add(
                _actor(), "role_granted", now=desk.now(), detail=f"{chosen} to tg:{user_id}"
            )
        return added

    added = run_with_desk(settings_for(db), work, flows=False)
    article = "an" if chosen[0] in "aeiou" else "a"
    typer.echo(f"tg:{user_id} is {'now' if added else 'already'} {article} {chosen}.")


@admins.command("remove")
def remove(
    user_id: UserArgument,
    role: Annotated[str | None, typer.Option("--role", help="Only this role.")] = None,
    db: DatabaseOption = None,
) -> None:
    """Take a role (or every role) from a Telegram user."""
    chosen = None if role is None else _role(role)

    async def work(desk: BroadcastDesk) -> int:
        taken = await desk.roles.revoke(user_id, chosen)
        if taken:
            what = chosen or "every role"
            await desk.audit.add(
                _actor(), "role_revoked", now=desk.now(), detail=f"{what} from tg:{user_id}"
            )
        return taken

    taken = run_with_desk(settings_for(db), work, flows=False)
    typer.echo(f"{taken} role(s) taken from tg:{user_id}.")
    if not taken:
        raise typer.Exit(1)


@admins.command("list")
def list_admins(db: DatabaseOption = None) -> None:
    """Everyone who may act on broadcasts."""
    settings = settings_for(db)

    async def work(desk: BroadcastDesk) -> list[RoleGrant]:
        return await desk.roles.all()

    table = Table("Telegram user", "role", "since (UTC)", "granted by")
    for user in settings.ADMIN_IDS:
        table.add_row(f"tg:{user}", "admin", "-", "ADMIN_IDS")
    for grant in run_with_desk(settings, work, flows=False):
        table.add_row(
            f"tg:{grant.user_id}",
            grant.role,
            f"{grant.granted_at:%Y-%m-%d %H:%M}",
            grant.granted_by,
        )
    Console(highlight=False).print(table)


def audit(
    since: Annotated[
        str | None, typer.Option("--since", help="From this day (YYYY-MM-DD, UTC).")
    ] = None,
    broadcast: Annotated[int | None, typer.Option("--broadcast", help="One broadcast.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest.")] = 200,
    db: DatabaseOption = None,
) -> None:
    """The audit log: every admin action on broadcasts and roles (who, what, when, how many)."""
    since_at = day_of(since)

    async def work(desk: BroadcastDesk) -> list[AuditRecord]:
        return await desk.audit.entries(since=since_at, broadcast_id=broadcast, limit=limit)

    entries = run_with_desk(settings_for(db), work, flows=False)
    table = Table("when (UTC)", "who", "what", "broadcast", "how many", "detail")
    for entry in entries:
        table.add_row(
            f"{entry.at:%Y-%m-%d %H:%M:%S}",
            entry.actor,
            entry.action,
            "" if entry.broadcast_id is None else f"#{entry.broadcast_id}",
            "" if entry.count is None else f"{entry.count:,}",
            entry.detail or "",
        )
    Console(highlight=False).print(table)
    typer.echo(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}.")
