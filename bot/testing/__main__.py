"""Run the emulator on its own: `python -m bot.testing --token 123456:TEST-sandbox`.

It prints the base URL to point a bot at, and serves a chat page at that URL for
trying the bot by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Sequence

from bot.testing.emulator import Emulator
from bot.testing.ratelimit import RateLimits

DEFAULT_TOKEN = "123456:TEST-standby-sandbox"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line: host, port, tokens and whether to limit rates."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.testing",
        description="A local Telegram Bot API emulator with a web chat page.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8081, help="port (0 picks a free one)")
    parser.add_argument(
        "--token",
        action="append",
        dest="tokens",
        metavar="TOKEN",
        help=f"a bot token to accept, repeatable (default {DEFAULT_TOKEN})",
    )
    parser.add_argument("--no-rate-limit", action="store_true", help="turn flood control off")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set (or forever), printing where to connect."""
    limits = RateLimits.off() if args.no_rate_limit else RateLimits()
    async with Emulator(args.host, args.port, rate_limits=limits) as emulator:
        for token in args.tokens or [DEFAULT_TOKEN]:
            emulator.add_bot(token)
        base = emulator.base_url
        print(f"Telegram Bot API emulator at {base}", flush=True)
        for bot in emulator.world.bots.values():
            print(f"  bot @{bot.username}: token {bot.token}", flush=True)
        print(f"  aiogram: TelegramAPIServer.from_base({base!r})", flush=True)
        print(
            f"  python-telegram-bot: ApplicationBuilder().base_url({base + '/bot'!r})", flush=True
        )
        print(f"  chat in your browser: {base}/", flush=True)
        await (stop or asyncio.Event()).wait()


async def _serve_until_signalled(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # SIGTERM (docker stop, CI) should close the server as cleanly as Ctrl-C.
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await serve(args, stop)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point for `python -m bot.testing`."""
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_until_signalled(args))


if __name__ == "__main__":
    main()
