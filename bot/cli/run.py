"""`standby run`: the Telegram bot, or a local sandbox when there is no token yet."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import typer
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.telegram.runtime import TokenRefused, run_until_signalled
from bot.cli.common import EXIT_BAD_SETTING, database_problem, fail_on_bad_settings
from bot.config import Settings, configure_logging, load_settings
from bot.services.library import FlowsInvalidError

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "123456:TEST-standby-sandbox"
SANDBOX_PORT = 8081


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
        typer.echo(
            "\nNo BOT_TOKEN is set, so Standby is running in a local sandbox: a pretend\n"
            "Telegram on this computer. Nothing leaves this machine.\n\n"
            f"  Chat with Standby in your browser:  {emulator.base_url}/\n\n"
            "To connect a real Telegram bot, get a token from @BotFather, put\n"
            "BOT_TOKEN=<token> in a .env file here (see deploy/.env.example) and run again.\n"
            "Press Ctrl-C to stop.\n"
        )
        local = settings.model_copy(
            update={
                "BOT_TOKEN": SANDBOX_TOKEN,
                "BOT_API_URL": emulator.base_url,
                "WEBHOOK_URL": "",
                "WEBHOOK_LISTEN": "127.0.0.1:0",
            }
        )
        await run_until_signalled(local)


async def _free(preferred: int) -> int:
    """`preferred` if nothing listens there, else 0 (let the system choose)."""
    with contextlib.suppress(OSError):
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", preferred)
        server.close()
        await server.wait_closed()
        return preferred
    return 0
