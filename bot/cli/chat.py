"""`standby chat`: try the real flows, engine and storage in a terminal."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.render import OutMessage
from bot.adapters.terminal import TerminalScreen, read_input
from bot.bootstrap import bootstrap
from bot.cli.common import database_problem, fail_on_bad_settings
from bot.config import Settings, SettingsError, configure_logging, load_settings
from bot.engine import Input
from bot.i18n import Translations, translator_for
from bot.i18n.languages import LANGUAGES
from bot.services.library import FlowsInvalidError

# A chat id no Telegram chat has (they are positive for people), so terminal sessions
# never mix with real ones sharing the database.
TERMINAL_CHAT_ID = -1


class PrintingScreen(TerminalScreen):
    def __init__(self, console: Console, language: str | None, locales: Path) -> None:
        # Shown in the language the person has now: the language menu and the translation
        # notice's English button change it.
        def translators(code: str | None) -> Translations:
            return translator_for(code, locales)

        super().__init__(translators(language), translators=translators)
        self.console = console

    def on_message(self, message: OutMessage, text: str) -> None:
        self.console.print(f"[bold cyan]Standby ›[/] {escape(text)}")

    def on_erase(self) -> None:
        self.console.clear()
        self.console.print("[dim](the conversation was erased from this screen)[/]")


def chat(
    flows: Annotated[Path | None, typer.Option("--flows", help="Flows folder (FLOWS_DIR).")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (DATABASE_URL).")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language code, e.g. ar.")] = None,
    chat_id: Annotated[
        int, typer.Option("--as", help="Pretend to be this chat (keeps its own session).")
    ] = TERMINAL_CHAT_ID,
) -> None:
    """Chat with Standby in this terminal: numbers press buttons, `!photo`/`!file NAME`
    send a pretend file, Ctrl-D leaves. Your place is kept, so you can come back to it."""
    with fail_on_bad_settings():
        settings = load_settings(FLOWS_DIR=flows, DATABASE_URL=db)
        if lang is not None and lang not in LANGUAGES:
            raise SettingsError(f"option --lang should be one of {', '.join(sorted(LANGUAGES))}")
    configure_logging("WARNING" if settings.LOG_LEVEL == "INFO" else settings.LOG_LEVEL)
    try:
        with fail_on_bad_settings():
            asyncio.run(_chat(settings, lang, chat_id))
    except FlowsInvalidError as invalid:
        for problem in invalid.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{invalid}: fix them, then try again.", err=True)
        raise typer.Exit(1) from None
    except (OSError, SQLAlchemyError) as error:
        typer.echo(f"standby: {database_problem(error)}", err=True)
        raise typer.Exit(1) from None


async def _chat(settings: Settings, lang: str | None, chat_id: int) -> None:
    console = Console(highlight=False)
    core = await bootstrap(settings)
    try:
        contact = await core.contacts.get_or_create(chat_id, now=core.clock.now(), language=lang)
        if lang and contact.language != lang:
            await core.contacts.set_language(contact.id, lang)
            contact = replace(contact, language=lang)
        screen = PrintingScreen(console, lang or contact.language, settings.LOCALES_DIR)
        conversation = core.conversation(screen)
        console.print(
            f"[dim]Standby chat · flows: {settings.FLOWS_DIR} · type a number to press a "
            "button, !photo or !file NAME to send a file, Ctrl-D to leave.[/]"
        )
        await conversation.handle(contact, Input.refresh())
        while True:
            try:
                line = await asyncio.to_thread(console.input, "[bold green]you ›[/] ")
            except (EOFError, KeyboardInterrupt):
                console.print()
                return
            # Looked up again each time, as the bot does: after /forget_me they are new.
            contact = await core.contacts.get_or_create(chat_id, now=core.clock.now())
            await conversation.handle(contact, read_input(line, screen.buttons))
    finally:
        await core.close()
