"""CPU per conversation turn inside the bot, without HTTP: what Standby adds to a framework.

    .venv/bin/python -m bench.turns [--updates 4000] [--postgres URL] [--profile]

Each update goes through the Telegram adapter's inbound handler as in `standby run` (update
claim and contact, session, engine, rendering, message-id log), with a Bot API that answers
at once, so only Standby's own work is counted. One person's update after another's (50
people), on SQLite in a temporary file and, with --postgres, on a fresh database of that
server. `--profile` prints where the time goes (cProfile, which roughly doubles it).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import tempfile
import time
from pathlib import Path

from bench.updates import fresh_database
from bot.adapters.telegram.api import Keyboard
from bot.adapters.telegram.callbacks import CallbackCodec
from bot.adapters.telegram.files import TelegramFiles
from bot.adapters.telegram.inbound import InboundHandler, Incoming
from bot.adapters.telegram.sender import TelegramSender
from bot.bootstrap import bootstrap
from bot.config import load_settings
from bot.i18n import Translations, translator_for
from bot.storage import MessageLog, UpdateLedger

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = 50


class InstantApi:
    """Only what a turn of bench/flows/echo.yaml calls; every message is sent at once."""

    def __init__(self) -> None:
        self.sent = 0

    async def send_message(
        self,
        chat_id: int,
        text: str,
        keyboard: Keyboard | None,
        *,
        reply_to: int | None = None,
        paid: bool = False,
    ) -> int:
        self.sent += 1
        return self.sent


async def measure(database: str, folder: Path, updates: int, profile: bool) -> float:
    os.environ.update(
        BOT_TOKEN="123456:TEST-bench",
        DATABASE_URL=database or f"sqlite:///{folder / 'turns.db'}",
        FLOWS_DIR=str(ROOT / "bench" / "flows"),
    )
    settings = load_settings()
    core = await bootstrap(settings)
    try:
        api = InstantApi()

        def translators(language: str | None) -> Translations:
            return translator_for(language, settings.LOCALES_DIR)

        codec = CallbackCodec(b"bench" * 8)
        messages = MessageLog(core.sessionmaker)
        sender = TelegramSender(
            api,  # type: ignore[arg-type]  # the methods a turn uses
            contacts=core.contacts,
            messages=messages,
            codec=codec,
            translators=translators,
            clock=core.clock,
        )
        handler = InboundHandler(
            bot_id=1,
            api=api,  # type: ignore[arg-type]
            conversation=core.conversation(sender, TelegramFiles(api)),  # type: ignore[arg-type]
            sender=sender,
            contacts=core.contacts,
            ledger=UpdateLedger(core.sessionmaker),
            codec=codec,
            flows=lambda: core.library.current,
            clock=core.clock,
        )
        update_id = 0

        async def say(person: int, text: str) -> None:
            nonlocal update_id
            update_id += 1
            incoming = Incoming(
                update_id=update_id,
                chat_id=10_000 + person,
                private=True,
                message_id=update_id,
                text=text,
                language_code="en",
            )
            await handler.receive(incoming)

        for person in range(PEOPLE):  # warm up: everyone starts, and answers once
            await say(person, "/start")
            await say(person, "hello")
        profiler = cProfile.Profile() if profile else None
        began = time.process_time()
        if profiler is not None:
            profiler.enable()
        for n in range(updates):
            await say(n % PEOPLE, f"message {n}")
        if profiler is not None:
            profiler.disable()
        used = time.process_time() - began
        if profiler is not None:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return used * 1000 / updates
    finally:
        await core.close()


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await measure("", Path(folder), args.updates, args.profile)
    print(f"CPU per turn, in process, {args.updates} updates over {PEOPLE} people")
    print(f"  SQLite (WAL, a file)   {sqlite:.3f} ms")
    if args.postgres:
        async with fresh_database(args.postgres, "turns") as url:
            postgres = await measure(url, Path(), args.updates, args.profile)
        print(f"  PostgreSQL (local)     {postgres:.3f} ms   ({postgres / sqlite:.2f} × SQLite)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=4000)
    parser.add_argument("--postgres", default="", help="a PostgreSQL server URL")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    asyncio.run(main(parser.parse_args()))
