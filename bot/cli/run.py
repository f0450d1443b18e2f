"""`standby run`: the Telegram bot, or a local sandbox when there is no token yet."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import typer
from cryptography.fernet import Fernet
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.telegram.runtime import BotApiUnreadable, TokenRefused, run_until_signalled
from bot.cli.common import EXIT_BAD_SETTING, database_problem, fail_on_bad_settings
from bot.config import Settings, configure_logging, load_settings
from bot.services.library import FlowsInvalidError
from bot.storage import resolve_url

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "123456:TEST-standby-sandbox"
SANDBOX_PORT = 8081
SANDBOX_KEY_NAME = "sandbox-report.key"


def run() -> None:
    """Start the bot (settings from the environment or .env). Without BOT_TOKEN, start a
    local sandbox: a pretend Telegram with a chat page in your browser."""
    with fail_on_bad_settings():
        settings = load_settings()
    configure_logging(settings.LOG_LEVEL)
    try:
        with fail_on_bad_settings():
            if settings.BOT_TOKEN:
                asyncio.run(run_until_signalled(settings))
            else:
                asyncio.run(_sandbox(settings))
    except FlowsInvalidError as invalid:
        for problem in invalid.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{invalid}: fix them, then start again.", err=True)
        raise typer.Exit(1) from None
    except TokenRefused:
        typer.echo(
            f"standby: setting BOT_TOKEN was refused by the Bot API at {settings.BOT_API_URL}: "
            "check it in @BotFather (it may have been revoked)",
            err=True,
        )
        raise typer.Exit(EXIT_BAD_SETTING) from None
    except BotApiUnreadable as unreadable:
        library = "python-telegram-bot" if settings.BOT_FRAMEWORK == "ptb" else "aiogram"
        typer.echo(
            f"standby: the Bot API at {settings.BOT_API_URL} (setting BOT_API_URL) answered getMe "
            f"in a way {library} cannot read ({unreadable}): is it a Bot API server, of a "
            "version this library knows?",
            err=True,
        )
        raise typer.Exit(EXIT_BAD_SETTING) from None
    except (OSError, SQLAlchemyError) as error:
        typer.echo(f"standby: {database_problem(error)}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        pass


async def _sandbox(settings: Settings) -> None:
    from bot.testing import Emulator

    emulator = Emulator(port=await _free(SANDBOX_PORT))
    async with emulator:
        emulator.add_bot(SANDBOX_TOKEN, username="standby_sandbox_bot")
        keys, key_note = _sandbox_report_keys(settings)
        local = settings.model_copy(
            update={
                "BOT_TOKEN": SANDBOX_TOKEN,
                "BOT_API_URL": emulator.base_url,
                "WEBHOOK_URL": "",
                "WEBHOOK_LISTEN": "127.0.0.1:0",
                "REPORT_KEYS": keys,
            }
        )

        def started() -> None:
            typer.echo(
                "\nNo BOT_TOKEN is set, so Standby is running in a local sandbox: a pretend\n"
                "Telegram on this computer. Nothing leaves this machine.\n\n"
                f"  Chat with Standby in your browser:  {emulator.base_url}/\n\n"
                f"{key_note}"
                "To connect a real Telegram bot, get a token from @BotFather, put\n"
                "BOT_TOKEN=<token> in a .env file here (see deploy/.env.example) and run again.\n"
                "Press Ctrl-C to stop.\n"
            )

        await run_until_signalled(local, started=started)


def _sandbox_report_keys(settings: Settings) -> tuple[tuple[str, ...], str]:
    """REPORT_KEYS for the sandbox, and a line saying where they came from.

    Without REPORT_KEYS a sandbox could not finish a report, the part most worth trying;
    so it makes a key of its own, kept beside its database. Only this path reads that
    file: with a real BOT_TOKEN, REPORT_KEYS must be set by whoever runs the bot.
    """
    if settings.REPORT_KEYS:
        return settings.REPORT_KEYS, ""
    key_file = sandbox_key_file(settings.DATABASE_URL)
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)  # the key is never readable by others, not even briefly
        key_file.write_text(Fernet.generate_key().decode() + "\n")
    note = (
        f"Reports made here are locked with a sandbox key in {key_file}, made for\n"
        "this sandbox only. A real bot needs its own REPORT_KEYS (docs/privacy.md).\n\n"
    )
    return (key_file.read_text().strip(),), note


def sandbox_key_file(database_url: str) -> Path:
    """Beside the sandbox's SQLite file; for another database, in ./data/."""
    url = resolve_url(database_url or None)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).with_name(SANDBOX_KEY_NAME)
    return Path("data") / SANDBOX_KEY_NAME


async def _free(preferred: int) -> int:
    """`preferred` if nothing listens there, else 0 (let the system choose)."""
    with contextlib.suppress(OSError):
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", preferred)
        server.close()
        await server.wait_closed()
        return preferred
    return 0
