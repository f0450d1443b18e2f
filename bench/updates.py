"""End-to-end updates per second and latency: emulator → bot → emulator.

    .venv/bin/python -m bench.updates [--people 50] [--each 40] [--rate 200] [--seconds 10]
                                      [--rounds 3] [--postgres postgresql://postgres@127.0.0.1/test]

Each bot runs as its own process (as in production) against the Bot API emulator in this
process; people are driven from here. Compared in the same run: bare echo bots on aiogram
and on python-telegram-bot (each framework's floor), then Standby on each, with SQLite (or
PostgreSQL). "vs echo" is against the aiogram echo bot, "vs floor" against the echo bot of
the same framework.
Throughput: every person sends, waits for the reply, sends again. Latency: people send at a
fixed total rate, and each update's time from sending to its reply is recorded.
The four bots are measured one after another, `--rounds` times over; each round gives its
own ratios (this machine is shared, so runs minutes apart differ), and the last table shows
the median of each figure over the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.storage import make_engine
from bot.testing import Emulator, RateLimits, User

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:TEST-bench"


@dataclass
class Result:
    name: str
    throughput: float
    p50: float
    p99: float
    achieved_rate: float
    cpu_ms: float


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bot_command(kind: str) -> list[str]:
    if kind.startswith("echo"):
        framework = "ptb" if kind == "echo-ptb" else "aiogram"
        return [sys.executable, "-m", "bench.echo_bot", framework]
    sampled = os.environ.get("BENCH_PY_SPY")  # a file name: sample the bot with py-spy
    if sampled:
        spy = str(Path(sys.executable).with_name("py-spy"))
        return [
            spy,
            "record",
            "-f",
            "raw",
            "-o",
            f"{sampled}.{kind}",
            "--",
            sys.executable,
            "-m",
            "bot",
            "run",
        ]
    return [sys.executable, "-m", "bot", "run"]


async def start_bot(
    kind: str, base_url: str, folder: Path, database: str
) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": base_url,
        "BOT_FRAMEWORK": "ptb" if kind == "ptb" else "aiogram",
        "DATABASE_URL": database or f"sqlite:///{folder / f'{kind}.db'}",
        "FLOWS_DIR": str(ROOT / "bench" / "flows"),
        "WEBHOOK_LISTEN": "127.0.0.1:0",
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        *bot_command(kind),
        env=env,
        cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def round_trip(user: User, text: str) -> float:
    began = time.perf_counter()
    await user.send(text)
    await user.wait_for_reply(within=30)
    return time.perf_counter() - began


async def closed_loop(people: list[User], each: int) -> float:
    async def person(user: User) -> None:
        for n in range(each):
            await round_trip(user, f"message {n}")

    began = time.perf_counter()
    await asyncio.gather(*(person(user) for user in people))
    return len(people) * each / (time.perf_counter() - began)


async def fixed_rate(people: list[User], rate: float, seconds: float) -> tuple[list[float], float]:
    interval = len(people) / rate  # each person sends every `interval` seconds
    latencies: list[float] = []
    began = time.perf_counter()

    async def person(index: int, user: User) -> None:
        start = began + index * interval / len(people)
        sent = 0
        while (due := start + sent * interval) < began + seconds:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            latencies.append(await round_trip(user, f"steady {sent}"))
            sent += 1

    await asyncio.gather(*(person(i, u) for i, u in enumerate(people)))
    return latencies, len(latencies) / (time.perf_counter() - began)


async def measure(
    kind: str, people_count: int, each: int, rate: float, seconds: float, database: str
) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        async with Emulator(rate_limits=RateLimits.off()) as tg:
            tg.add_bot(TOKEN, username="bench_bot")
            process = await start_bot(kind, tg.base_url, Path(folder), database)
            try:
                people = [tg.user(10_000 + n, f"P{n}") for n in range(people_count)]
                await asyncio.gather(*(round_trip(u, "/start") for u in people))  # warm up
                cpu_before = cpu_seconds(process.pid)
                throughput = await closed_loop(people, each)
                cpu_ms = (cpu_seconds(process.pid) - cpu_before) * 1000 / (len(people) * each)
                latencies, achieved = await fixed_rate(people, rate, seconds)
            finally:
                process.send_signal(signal.SIGTERM)
                await process.wait()
    ordered = sorted(latencies)
    return Result(
        name={
            "echo": "bare aiogram echo",
            "echo-ptb": "bare python-telegram-bot echo",
            "aiogram": "Standby (aiogram)",
            "ptb": "Standby (python-telegram-bot)",
        }[kind],
        throughput=throughput,
        p50=statistics.median(ordered) * 1000,
        p99=ordered[int(len(ordered) * 0.99) - 1] * 1000,
        achieved_rate=achieved,
        cpu_ms=cpu_ms,
    )


@asynccontextmanager
async def fresh_database(server: str, kind: str) -> AsyncIterator[str]:
    """A new PostgreSQL database on `server` for one run (update ids restart per run)."""
    name = f"standby_bench_{kind}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        # The server's URL with the new database (options such as ?sslmode= kept).
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def run_one(kind: str, args: argparse.Namespace) -> Result:
    if not args.postgres:
        return await measure(kind, args.people, args.each, args.rate, args.seconds, "")
    async with fresh_database(args.postgres, kind) as url:
        return await measure(kind, args.people, args.each, args.rate, args.seconds, url)


KINDS = ("echo", "echo-ptb", "aiogram", "ptb")


def print_table(title: str, results: dict[str, Result]) -> None:
    floors = {"aiogram": results["echo"], "ptb": results["echo-ptb"]}
    floor = results["echo"].throughput
    print(title)
    print(
        f"  {'':32} {'updates/s':>10} {'vs echo':>8} {'vs floor':>8} {'CPU ms/upd':>10} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'rate held':>10}"
    )
    for kind, r in results.items():
        own = floors.get(kind)
        versus_floor = f"{r.throughput / own.throughput:>8.2f}" if own else f"{'':>8}"
        print(
            f"  {r.name:32} {r.throughput:>10.0f} {r.throughput / floor:>8.2f} {versus_floor} "
            f"{r.cpu_ms:>10.2f} {r.p50:>8.1f} {r.p99:>8.1f} {r.achieved_rate:>10.0f}"
        )


def versus(results: dict[str, Result]) -> float:
    """Standby on aiogram against the aiogram echo bot: the issue's ratio."""
    return results["aiogram"].throughput / results["echo"].throughput


def medians(rounds: list[dict[str, Result]]) -> dict[str, Result]:
    """Each figure's median over the rounds (ratios are then taken of the medians)."""

    def median(kind: str, figure: str) -> float:
        return statistics.median(float(getattr(results[kind], figure)) for results in rounds)

    figures = ("throughput", "p50", "p99", "achieved_rate", "cpu_ms")
    return {
        kind: Result(rounds[0][kind].name, *(median(kind, figure) for figure in figures))
        for kind in KINDS
    }


async def main(args: argparse.Namespace) -> None:
    database = "PostgreSQL" if args.postgres else "SQLite"
    setting = f"{args.people} people; latency at {args.rate:.0f} updates/s for {args.seconds:.0f} s"
    rounds: list[dict[str, Result]] = []
    for number in range(1, args.rounds + 1):
        results = {kind: await run_one(kind, args) for kind in KINDS}
        rounds.append(results)
        print_table(f"round {number} of {args.rounds}: {database}, {setting}", results)
        print(f"  Standby (aiogram) / bare aiogram echo in this round: {versus(results):.2f}\n")
    if args.rounds > 1:
        print_table(f"median of {args.rounds} rounds: {database}, {setting}", medians(rounds))
        listed = ", ".join(f"{versus(results):.2f}" for results in rounds)
        print(f"  Standby (aiogram) / bare aiogram echo, round by round: {listed}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--each", type=int, default=40)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3, help="times over the four bots")
    parser.add_argument(
        "--postgres", default="", help="a PostgreSQL server URL to use instead of SQLite"
    )
    asyncio.run(main(parser.parse_args()))
