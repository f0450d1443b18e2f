"""The `standby` command: chat, flows, db (and more as Standby grows)."""

from __future__ import annotations

import typer

from bot.cli import chat, db, flows, run

app = typer.Typer(
    name="standby",
    help="Standby: a Telegram bot that stands by people facing hate in the UK.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("run")(run.run)
app.command("chat")(chat.chat)
app.add_typer(flows.app, name="flows", help="Check the flow files volunteers write.")
app.add_typer(db.app, name="db", help="Create or upgrade the database.")


def main() -> None:
    app()
