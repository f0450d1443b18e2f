"""The `standby` command: chat, flows, db, i18n, reports, purge (and more as Standby grows)."""

from __future__ import annotations

import typer

from bot.cli import broadcast, chat, db, flows, i18n, reports, run, staff

app = typer.Typer(
    name="standby",
    help="Standby: a Telegram bot that stands by people facing hate in the UK.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("run")(run.run)
app.command("chat")(chat.chat)
app.command("purge")(reports.purge)
app.add_typer(flows.app, name="flows", help="Check the flow files volunteers write.")
app.add_typer(db.app, name="db", help="Create or upgrade the database.")
app.add_typer(i18n.app, name="i18n", help="Translations: extract, update, check.")
app.add_typer(
    reports.app, name="reports", help="Incident reports: list, show, export, rotate keys."
)
app.add_typer(
    broadcast.app,
    name="broadcast",
    help="Alerts to subscribers: send, status, cancel, approve, correct, retract.",
)
app.add_typer(staff.admins, name="admins", help="Who may send and approve broadcasts.")
app.command("audit")(staff.audit)


def main() -> None:
    app()
