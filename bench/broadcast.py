"""Broadcast alerts end to end: database → a real sender process → Bot API emulator.

    .venv/bin/python -m bench.broadcast [--limited 2000] [--lifted 10000]
                                        [--memory-small 10000] [--memory-large 100000]
                                        [--kill 10000] [--kill-at 0.525] [--fault 3000]
                                        [--concurrency 100] [--quick]
                                        [--parts limited,lifted,memory,kill[,fault]]
                                        [--postgres postgresql://postgres@127.0.0.1/test]
                                        [--skip-sqlite] [--redis redis://127.0.0.1/0]
                                        [--logs DIR]

Subscribers (contacts subscribed to one area) are written straight into a fresh database
with bulk INSERTs, their chats opened in the emulator, which runs in this process; an
alert to their area is started with `BroadcastRepository.start`, and a real sender process
sends it, as in production: `standby broadcast deliver` on PostgreSQL, the bot itself
(`standby run`) on SQLite, where `deliver` refuses to run (one sender only). Every
sendMessage the emulator answers is timed here (time.monotonic) and counted per chat.
SQLite always (unless --skip-sqlite); PostgreSQL too with --postgres (a throw-away
database per part, dropped after). Each part starts its sender while the subscribers are
written (a start takes seconds: aiogram's import) and waits until it is idle.

1. At Telegram's limit: the emulator allows 30 messages/s (burst 30) and answers 429
   above it; BROADCAST_RATE=30. Rate = messages after the first / time from the first to
   the last, against 30/s (goal ≥ 0.95, no 429).
2. Limit lifted: flood control off, BROADCAST_PAID=1, BROADCAST_RATE=1000; Standby
   against a bare aiohttp loop (bench/broadcast_sender.py, its own process) posting the
   same sendMessage to the same emulator, 100 requests at a time (aiogram's session keeps
   100 connections), run just before and just after Standby.
3. Memory: the sender's peak RSS (VmHWM) for --memory-small and --memory-large
   subscribers, limit lifted (goal: the same for both).
4. Kill -9: the sender is SIGKILLed when --kill-at of the subscribers have the alert (in
   the middle of a claimed batch), another is started; then how many got it once, twice,
   never, against the deliveries flagged `resent` (on PostgreSQL those wait for the 30 s
   lease).
5. `--parts fault` (not run by default): one write of an outcome fails, once (a trigger
   on the delivery table), halfway through; the same count of who got the alert how often.
CPU is per process from /proc (sender; this process, i.e. the emulator; on PostgreSQL the
backends of the bench database), per message, and as a share of one core while sending.
"Stalls" are gaps between two messages longer than ten intervals at the set rate. With
BENCH_PROFILE=file the senders run under cProfile (file.<database>.<part>.<n>).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, literal, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.telegram.text import escape
from bot.flowdef.alerts import AlertTemplates
from bot.flowdef.areas import AreaDirectory, read_areas_text
from bot.flowdef.problems import Found
from bot.i18n import translator_for
from bot.services.broadcasts import delivery
from bot.services.broadcasts.compose import AlertComposer, AlertContent
from bot.storage import make_engine, make_sessionmaker
from bot.storage.broadcasts import BroadcastRepository, DeliveryCounts
from bot.storage.migrate import upgrade
from bot.storage.tables import contact_table, delivery_table, subscription_table
from bot.testing import Emulator, RateLimits
from bot.testing.api import METHODS, Call

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "7700991:BENCH-broadcast"  # its own bot id: Redis keys are per bot
FIRST_CHAT = 5_000_000  # subscriber n has chat id FIRST_CHAT + n
AREA = "rotherham"
ALERT = (
    "A far-right gathering is planned outside the mosque on Main Street on Saturday at "
    "14:00. Avoid the area if you can; report hate at /report."
)
LIMIT = 30.0  # Telegram's overall limit for a bot, messages/s
PAID_RATE = 1000.0
INSERT_CHUNK = 20_000
POLL = 0.25  # seconds between looks at the broadcast's status
QUICK = {
    "limited": 90,
    "lifted": 1000,
    "memory_small": 1000,
    "memory_large": 3000,
    "kill": 2000,
    "fault": 1000,
}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    """The most resident memory a process has had (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmHWM for process {pid}")


# -- what the emulator saw ---------------------------------------------------------------


@dataclass
class Sends:
    """Every sendMessage the emulator answered, timed on this process's monotonic clock."""

    times: list[float] = field(default_factory=list)
    per_chat: Counter[int] = field(default_factory=Counter)
    sample_text: str | None = None  # the first message's text as sent (HTML)
    trigger_at: int = 0  # when this many have been answered, call `trigger`
    trigger: Callable[[], None] | None = None

    def reset(self) -> None:
        self.times.clear()
        self.per_chat.clear()
        self.sample_text = None
        self.trigger = None

    def seen(self, chat_id: int | None, text: str | None) -> None:
        self.times.append(time.monotonic())
        if chat_id is not None:
            self.per_chat[chat_id] += 1
        if self.sample_text is None:
            self.sample_text = text
        if self.trigger is not None and len(self.times) >= self.trigger_at:
            trigger, self.trigger = self.trigger, None
            trigger()

    def rate(self) -> float:
        """Messages after the first per second, from the first to the last."""
        if len(self.times) < 2:
            return 0.0
        return (len(self.times) - 1) / (self.times[-1] - self.times[0])

    def stalls(self, longer_than: float) -> tuple[int, float]:
        """Gaps between consecutive messages longer than `longer_than` seconds: how many,
        and their share of the time from the first message to the last."""
        gaps = [b - a for a, b in zip(self.times, self.times[1:], strict=False)]
        long = [gap for gap in gaps if gap > longer_than]
        span = self.times[-1] - self.times[0] if len(self.times) > 1 else 0.0
        return len(long), (sum(long) / span if span > 0 else 0.0)


@contextmanager
def watching_sends(sends: Sends) -> Iterator[None]:
    """Report each successful sendMessage to `sends` (the emulator's handler, wrapped)."""
    name, original = METHODS["sendmessage"]

    async def counted(call: Call) -> Any:
        result = await original(call)  # raises for a refused send (429, 403…)
        sends.seen(call.chat_id(), call.params.text("text"))
        return result

    METHODS["sendmessage"] = (name, counted)
    try:
        yield
    finally:
        METHODS["sendmessage"] = (name, original)


# -- databases and subscribers -----------------------------------------------------------


@dataclass
class Database:
    url: str
    name: str = ""  # PostgreSQL: the throw-away database's name
    admin: AsyncEngine | None = None  # PostgreSQL: a connection to the server

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.admin is not None else "SQLite"


@asynccontextmanager
async def fresh_database(server: str, folder: Path, tag: str) -> AsyncIterator[Database]:
    """A SQLite file in `folder`, or a new PostgreSQL database on `server`, dropped after."""
    if not server:
        yield Database(f"sqlite:///{folder / f'{tag}.db'}")
        return
    name = f"standby_bench_{tag}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield Database(server.rsplit("/", 1)[0] + "/" + name, name, admin)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def backend_cpu(database: Database) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to the bench database."""
    if database.admin is None:
        return {}
    async with database.admin.connect() as connection:
        rows = await connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
            {"name": database.name},
        )
        pids = [int(row[0]) for row in rows]
    found: dict[int, float] = {}
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # gone meanwhile
            found[pid] = cpu_seconds(pid)
    return found


async def add_subscribers(url: str, count: int) -> float:
    """`count` contacts, each subscribed to AREA, in a few statements; seconds taken."""
    began = time.perf_counter()
    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as connection:
            for start in range(0, count, INSERT_CHUNK):
                rows = [
                    {"chat_id": FIRST_CHAT + n, "created_at": now, "last_seen_at": now}
                    for n in range(start, min(count, start + INSERT_CHUNK))
                ]
                await connection.execute(insert(contact_table), rows)
            created = subscription_table.c.created_at
            chosen = select(contact_table.c.id, literal(AREA), literal(now, created.type))
            await connection.execute(
                insert(subscription_table).from_select(["contact_id", "area", "created_at"], chosen)
            )
    finally:
        await engine.dispose()
    return time.perf_counter() - began


def areas() -> AreaDirectory:
    path = ROOT / "flows" / "data" / "areas.yaml"
    return read_areas_text(path.read_text(), Found(str(path)))


def alert_text(directory: AreaDirectory) -> str:
    """The alert exactly as the sender sends it to an English-speaking subscriber."""
    composer = AlertComposer(
        lambda: AlertTemplates(()),
        lambda: directory,
        lambda language: translator_for(language, ROOT / "locales"),
    )
    return escape(composer.compose("alert", AlertContent(texts={"en": ALERT}), [AREA], None))


@dataclass
class Setup:
    """One part's world: a database with subscribers, the emulator with their chats, and
    a sender process started meanwhile (it takes seconds to start), idle until an alert."""

    database: Database
    emulator: Emulator
    engine: AsyncEngine  # this process's, for the repository and queries
    repository: BroadcastRepository
    count: int
    folder: Path
    tag: str
    rate: float
    paid: bool
    redis: str  # REDIS_URL for the senders ("": each paces itself)
    sends: Sends = field(default_factory=Sends)
    insert_seconds: float = 0.0
    sender: asyncio.subprocess.Process | None = None
    processes: list[asyncio.subprocess.Process] = field(default_factory=list)
    ready_rss: dict[int, float] = field(default_factory=dict)  # pid: VmHWM when idle, MiB

    def take_sender(self) -> asyncio.subprocess.Process:
        process, self.sender = self.sender, None
        if process is None:
            raise RuntimeError("no sender was started for this part")
        return process


@asynccontextmanager
async def prepared(
    server: str,
    folder: Path,
    tag: str,
    count: int,
    limits: RateLimits,
    *,
    rate: float,
    paid: bool,
    redis: str,
) -> AsyncIterator[Setup]:
    async with fresh_database(server, folder, tag) as database:
        await upgrade(database.url)
        engine = make_engine(database.url)
        setup: Setup | None = None
        starting: asyncio.Task[asyncio.subprocess.Process] | None = None
        try:
            async with Emulator(rate_limits=limits) as emulator:
                bot = emulator.add_bot(TOKEN, username="standby_bench_bot")
                repository = BroadcastRepository(make_sessionmaker(engine))
                setup = Setup(
                    database, emulator, engine, repository, count, folder, tag, rate, paid, redis
                )
                starting = asyncio.create_task(start_sender(setup))
                setup.insert_seconds = await add_subscribers(database.url, count)
                for n in range(count):
                    person = emulator.world.person(FIRST_CHAT + n, first_name="Subscriber")
                    bot.private_chat(person).started = True
                setup.sender = await starting
                with watching_sends(setup.sends):
                    yield setup
        finally:
            if starting is not None and not starting.done():
                starting.cancel()
                with contextlib.suppress(BaseException):
                    await starting
            for process in setup.processes if setup is not None else []:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
            await engine.dispose()


async def start_alert(setup: Setup) -> int:
    """Create the alert and start it (its delivery rows written); its id."""
    repository = setup.repository
    record = await repository.create(
        kind="alert",
        content=AlertContent(texts={"en": ALERT}).as_json(),
        areas=[AREA],
        created_by="bench",
        now=datetime.now(UTC),
    )
    total = await repository.start(record.id, sorted(areas().reach([AREA])), now=datetime.now(UTC))
    if total != setup.count:
        raise RuntimeError(f"the alert reaches {total} subscribers, not {setup.count}")
    return record.id


# -- sender processes --------------------------------------------------------------------


async def start_sender(setup: Setup) -> asyncio.subprocess.Process:
    """A sender (see `sender_command`) at the part's rate, once idle; its log goes to a
    file in the part's folder."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(setup.folder),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": setup.emulator.base_url,
        "DATABASE_URL": setup.database.url,
        "FLOWS_DIR": str(ROOT / "flows"),
        "LOCALES_DIR": str(ROOT / "locales"),
        "BROADCAST_RATE": f"{setup.rate:g}",
        "BROADCAST_PAID": "1" if setup.paid else "0",
        "REDIS_URL": setup.redis,
        "LOG_LEVEL": "WARNING",
        "WEBHOOK_LISTEN": "127.0.0.1:0",  # `standby run`: any free port (polling mode)
    }
    LOADED[f"{setup.database.label} {setup.tag}"].add(sources_digest())
    command = [sys.executable, "-m", "bot", *sender_command(setup.database)]
    profiled = os.environ.get("BENCH_PROFILE")  # a file name: profile senders with cProfile
    if profiled:
        output = f"{profiled}.{setup.database.label}.{setup.tag}.{len(setup.processes)}"
        command[1:1] = ["-m", "cProfile", "-o", output]
    with log_path(setup).open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            *command,
            env=env,
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    setup.processes.append(process)
    # Ready when it has asked the emulator who it is and stopped using CPU (flows loaded).
    bot = setup.emulator.bot()
    introduced = len(bot.calls_of("getMe"))
    deadline = time.monotonic() + 60
    while len(bot.calls_of("getMe")) <= introduced:
        check_alive(setup, process, deadline)
        await asyncio.sleep(0.1)
    before = cpu_seconds(process.pid)
    while True:
        await asyncio.sleep(0.2)
        check_alive(setup, process, deadline)
        now = cpu_seconds(process.pid)
        if now - before < 0.02:
            setup.ready_rss[process.pid] = peak_rss_mib(process.pid)
            return process
        before = now


def sender_command(database: Database) -> list[str]:
    """`standby broadcast deliver` (only the delivery engine) on PostgreSQL; on SQLite,
    which has one sender, the bot itself (`standby run`): `deliver` refuses SQLite."""
    return ["run"] if database.admin is None else ["broadcast", "deliver"]


def log_path(setup: Setup) -> Path:
    return setup.folder / f"{setup.database.label}.{setup.tag}.log"


def check_alive(setup: Setup, process: asyncio.subprocess.Process, deadline: float) -> None:
    if process.returncode is not None or time.monotonic() > deadline:
        tail = log_path(setup).read_text(errors="replace").splitlines()[-20:]
        why = f"exited with {process.returncode}" if process.returncode is not None else "stuck"
        raise RuntimeError(f"sender {why}; its log ends:\n" + "\n".join(tail))


async def stop(process: asyncio.subprocess.Process) -> None:
    """End a sender that has been measured (idle: nothing claimed, so no need to be gentle;
    a graceful stop takes seconds, and is needed only for a profile to be written)."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM if os.environ.get("BENCH_PROFILE") else signal.SIGKILL)
    await process.wait()


async def wait_done(
    setup: Setup, broadcast_id: int, process: asyncio.subprocess.Process, within: float
) -> None:
    deadline = time.monotonic() + within
    while True:
        record = await setup.repository.get(broadcast_id)
        if record is not None and record.status == "done":
            return
        check_alive(setup, process, deadline)
        await asyncio.sleep(POLL)


def refusals(setup: Setup, since: int) -> dict[str, int]:
    """sendMessage calls answered other than 200 (or never answered), from the emulator's
    call `since` on, by status and description."""
    found: Counter[str] = Counter()
    for call in setup.emulator.world.calls[since:]:
        if call.method == "sendMessage" and call.status != 200:
            found[f"{call.status} {call.description or ''}".strip()] += 1
    return dict(found)


def stall_gap(rate: float) -> float:
    """A gap between two messages this long is a stall, not pacing: ten intervals at
    `rate` (at least 10 ms)."""
    return max(0.01, 10 / rate)


def expected_seconds(count: int, rate: float) -> float:
    """A generous time limit for sending `count` at `rate` (this machine is slow and busy)."""
    return 120 + 4 * count / rate


# -- the measurements --------------------------------------------------------------------


@dataclass
class Run:
    """One sender's run: what the emulator saw and what it cost."""

    name: str
    count: int
    sent: int
    rate: float
    too_many: int
    sender_cpu: float  # seconds, from the alert's start to its end
    own_cpu: float  # this process (the emulator), same window
    db_cpu: float | None  # PostgreSQL backends of the bench database, same window
    busy_seconds: float  # from the first message to the end
    peak_rss: float  # MiB, VmHWM at the end
    ready_rss: float  # MiB, VmHWM when started and idle, before the alert
    stalls: tuple[int, float] = (0, 0.0)  # gaps > stall_gap(rate): how many, share of time
    refused: dict[str, int] = field(default_factory=dict)  # see `refusals`

    def per_message(self, seconds: float) -> float:
        return seconds * 1000 / max(self.sent, 1)

    def share(self, seconds: float) -> float:
        return seconds / self.busy_seconds if self.busy_seconds > 0 else 0.0


async def run_standby(setup: Setup, name: str) -> Run:
    process = setup.take_sender()
    try:
        setup.sends.reset()
        refused_before = setup.emulator.too_many_requests_served
        calls_before = len(setup.emulator.world.calls)
        broadcast_id = await start_alert(setup)
        sender_before, own_before = cpu_seconds(process.pid), time.process_time()
        db_before = await backend_cpu(setup.database)
        within = expected_seconds(setup.count, setup.rate)
        await wait_done(setup, broadcast_id, process, within)
        ended = time.monotonic()
        sender_cpu = cpu_seconds(process.pid) - sender_before
        own_cpu = time.process_time() - own_before
        db_after = await backend_cpu(setup.database)
        peak = peak_rss_mib(process.pid)
    finally:
        await stop(process)
    sends = setup.sends
    if sends.sample_text != alert_text(areas()):
        print(f"  note: the alert as sent differs from the bare loop's text: {sends.sample_text!r}")
    return Run(
        name=name,
        count=setup.count,
        sent=len(sends.times),
        rate=sends.rate(),
        too_many=setup.emulator.too_many_requests_served - refused_before,
        sender_cpu=sender_cpu,
        own_cpu=own_cpu,
        db_cpu=None
        if setup.database.admin is None
        else sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items()),
        busy_seconds=ended - sends.times[0] if sends.times else 0.0,
        peak_rss=peak,
        ready_rss=setup.ready_rss[process.pid],
        stalls=sends.stalls(stall_gap(setup.rate)),
        refused=refusals(setup, calls_before),
    )


async def run_bare(setup: Setup, name: str, concurrency: int) -> Run:
    """The bare aiohttp loop (bench/broadcast_sender.py) to every subscriber's chat."""
    with log_path(setup).open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.broadcast_sender",
            setup.emulator.base_url,
            TOKEN,
            str(FIRST_CHAT),
            str(setup.count),
            str(concurrency),
            alert_text(areas()),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
        )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        await process.stdout.readline()  # "ready"
        ready = peak_rss_mib(process.pid)
        setup.sends.reset()
        sender_before, own_before = cpu_seconds(process.pid), time.process_time()
        process.stdin.write(b"go\n")
        await process.stdin.drain()
        answer = (await process.stdout.readline()).decode().split()
        ended = time.monotonic()
        sender_cpu = cpu_seconds(process.pid) - sender_before
        own_cpu = time.process_time() - own_before
        peak = peak_rss_mib(process.pid)
    finally:
        process.stdin.close()
        await process.wait()
    if answer != ["done", "0"]:
        raise RuntimeError(f"the bare loop answered {answer}")
    sends = setup.sends
    return Run(
        name=name,
        count=setup.count,
        sent=len(sends.times),
        rate=sends.rate(),
        too_many=0,
        sender_cpu=sender_cpu,
        own_cpu=own_cpu,
        db_cpu=None,
        busy_seconds=ended - sends.times[0] if sends.times else 0.0,
        peak_rss=peak,
        ready_rss=ready,
        stalls=sends.stalls(stall_gap(PAID_RATE)),
    )


@dataclass
class Received:
    """How often each subscriber got the alert, against what the database says."""

    once: int
    twice: int
    never: int
    more: int  # three times or more
    counts: DeliveryCounts
    doubled_not_resent: int  # chats that got it twice though their row is not `resent`
    refused: dict[str, int]  # sendMessage answers other than 200, by status and reason

    @property
    def doubles_within_resent(self) -> bool:
        """Everyone who got the alert once, but those flagged `resent` (in flight)."""
        return (
            self.never == 0
            and self.more == 0
            and self.twice <= self.counts.resent
            and self.doubled_not_resent == 0
        )


async def received(setup: Setup, broadcast_id: int) -> Received:
    got = [setup.sends.per_chat[FIRST_CHAT + n] for n in range(setup.count)]
    async with setup.engine.connect() as connection:
        rows = await connection.execute(
            select(delivery_table.c.chat_id).where(
                delivery_table.c.broadcast_id == broadcast_id, delivery_table.c.resent
            )
        )
        resent_chats = {int(row[0]) for row in rows}
    doubled = [FIRST_CHAT + n for n, times in enumerate(got) if times >= 2]
    return Received(
        once=got.count(1),
        twice=got.count(2),
        never=got.count(0),
        more=sum(1 for times in got if times > 2),
        counts=await setup.repository.counts(broadcast_id),
        doubled_not_resent=sum(1 for chat in doubled if chat not in resent_chats),
        refused=refusals(setup, 0),
    )


@dataclass
class Killed:
    """The kill -9 part."""

    count: int
    at_kill: int  # messages the emulator had answered when the sender was killed
    at_restart: int  # … when the second sender started (in-flight requests land late)
    kill_to_sending: float  # seconds from the kill to the second sender's first message
    kill_to_done: float
    received: Received


async def run_killed(setup: Setup, fraction: float) -> Killed:
    sends = setup.sends
    first = setup.take_sender()
    at_kill = round(setup.count * fraction)
    killed: list[float] = []

    def kill() -> None:
        os.kill(first.pid, signal.SIGKILL)
        killed.append(time.monotonic())

    sends.reset()
    sends.trigger_at, sends.trigger = at_kill, kill
    broadcast_id = await start_alert(setup)
    await asyncio.wait_for(first.wait(), expected_seconds(setup.count, PAID_RATE))
    if not killed:
        raise RuntimeError("the first sender ended before it was killed")
    at_restart = len(sends.times)
    restarted = time.monotonic()
    second = await start_sender(setup)
    try:
        await wait_done(setup, broadcast_id, second, 60 + expected_seconds(setup.count, PAID_RATE))
        done = time.monotonic()
    finally:
        await stop(second)
    after = [t for t in sends.times if t > restarted]
    return Killed(
        count=setup.count,
        at_kill=at_kill,
        at_restart=at_restart,
        kill_to_sending=(after[0] - killed[0]) if after else float("nan"),
        kill_to_done=done - killed[0],
        received=await received(setup, broadcast_id),
    )


# One outcome write fails, once: the first time the delivery of subscriber FAULTY is
# recorded as sent (attempt 1), as a dropped connection or a statement timeout would.
FAULT_SQL = {
    "postgresql": [
        """CREATE FUNCTION bench_fail_once() RETURNS trigger AS $$
        BEGIN
          IF NEW.status = 'sent' AND OLD.status = 'sending' AND OLD.attempts = 1
             AND NEW.chat_id = :chat THEN
            RAISE EXCEPTION 'bench: one failed write of an outcome';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql""",
        "CREATE TRIGGER bench_fail BEFORE UPDATE ON delivery FOR EACH ROW "
        "EXECUTE FUNCTION bench_fail_once()",
    ],
    "sqlite": [
        """CREATE TRIGGER bench_fail BEFORE UPDATE ON delivery
        WHEN NEW.status = 'sent' AND OLD.status = 'sending' AND OLD.attempts = 1
             AND NEW.chat_id = :chat
        BEGIN SELECT RAISE(ABORT, 'bench: one failed write of an outcome'); END""",
    ],
}


async def run_fault(setup: Setup) -> Received:
    """The alert with one failed write of an outcome, halfway through (one sender)."""
    chat = FIRST_CHAT + setup.count // 2
    engine = setup.engine
    async with engine.begin() as connection:
        for statement in FAULT_SQL[connection.dialect.name]:
            # DDL takes no bound parameters: the chat id goes in as a literal.
            await connection.execute(text(statement.replace(":chat", str(chat))))
    process = setup.take_sender()
    try:
        setup.sends.reset()
        broadcast_id = await start_alert(setup)
        await wait_done(setup, broadcast_id, process, expected_seconds(setup.count, setup.rate))
    finally:
        await stop(process)
    return await received(setup, broadcast_id)


# -- one database, every part ------------------------------------------------------------


def progress(what: str, began: float) -> None:
    print(f"  {what} done ({time.monotonic() - began:.0f} s)", flush=True)


@dataclass
class Report:
    label: str
    limited: Run | None = None
    lifted: list[Run] = field(default_factory=list)  # bare, Standby, bare
    memory: list[Run] = field(default_factory=list)  # small, large
    killed: Killed | None = None
    fault: Received | None = None
    fault_count: int = 0
    inserts: list[tuple[int, float]] = field(default_factory=list)
    concurrency: int = 0
    notes: list[str] = field(default_factory=list)  # what the senders logged of interest


# Logged by every sender at start in this set-up; anything else is worth showing.
EXPECTED_LOG = ("REPORT_KEYS is not set", "helplines not checked")


def log_notes(folder: Path, label: str, tag: str) -> list[str]:
    """The senders' log lines of a part, but the expected ones and tracebacks' bodies."""
    path = folder / f"{label}.{tag}.log"
    if not path.exists():
        return []
    lines = path.read_text(errors="replace").splitlines()
    return [
        f"{tag}: {line}"
        for line in lines
        if line[:4].isdigit() and not any(expected in line for expected in EXPECTED_LOG)
    ]


async def measure(server: str, args: argparse.Namespace) -> Report:
    label = "PostgreSQL" if server else "SQLite"
    report = Report(label, concurrency=args.concurrency)
    parts = set(args.parts.split(","))
    paid: dict[str, Any] = {"rate": PAID_RATE, "paid": True, "redis": args.redis}
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.logs or tmp)
        if "limited" in parts:
            limits = RateLimits(bot_per_second=LIMIT, bot_burst=int(LIMIT))
            async with prepared(
                server,
                folder,
                "limited",
                args.limited,
                limits,
                rate=LIMIT,
                paid=False,
                redis=args.redis,
            ) as setup:
                report.inserts.append((setup.count, setup.insert_seconds))
                report.limited = await run_standby(setup, f"at the limit, {LIMIT:g}/s")
            report.notes += log_notes(folder, label, "limited")
            progress(f"{label}: at the limit", began)
        if "lifted" in parts:
            async with prepared(
                server, folder, "lifted", args.lifted, RateLimits.off(), **paid
            ) as setup:
                report.inserts.append((setup.count, setup.insert_seconds))
                report.lifted = [
                    await run_bare(setup, "bare aiohttp (before)", args.concurrency),
                    await run_standby(setup, "Standby, paid 1000/s"),
                    await run_bare(setup, "bare aiohttp (after)", args.concurrency),
                ]
            report.notes += log_notes(folder, label, "lifted")
            progress(f"{label}: limit lifted", began)
        if "memory" in parts:
            for size in (args.memory_small, args.memory_large):
                if report.lifted and size == args.lifted:
                    report.memory.append(report.lifted[1])  # the same run, already made
                    continue
                tag = f"memory{size}"
                async with prepared(server, folder, tag, size, RateLimits.off(), **paid) as setup:
                    report.inserts.append((setup.count, setup.insert_seconds))
                    name = f"Standby, {size:,} subscribers"
                    report.memory.append(await run_standby(setup, name))
                report.notes += log_notes(folder, label, tag)
                progress(f"{label}: memory with {size:,} subscribers", began)
        if "kill" in parts:
            async with prepared(
                server, folder, "kill", args.kill, RateLimits.off(), **paid
            ) as setup:
                report.inserts.append((setup.count, setup.insert_seconds))
                report.killed = await run_killed(setup, args.kill_at)
            report.notes += log_notes(folder, label, "kill")
            progress(f"{label}: kill -9", began)
        if "fault" in parts:
            async with prepared(
                server, folder, "fault", args.fault, RateLimits.off(), **paid
            ) as setup:
                report.inserts.append((setup.count, setup.insert_seconds))
                report.fault, report.fault_count = await run_fault(setup), setup.count
            report.notes += log_notes(folder, label, "fault")
            progress(f"{label}: one failed write", began)
    return report


def show_received(r: Received) -> None:
    c = r.counts
    print(
        f"    exactly once {r.once:,}, twice {r.twice:,}, never {r.never:,}, more {r.more}; "
        f"resent (DeliveryCounts.resent) {c.resent:,}; delivery rows: sent {c['sent']:,}, "
        f"failed {c['failed']}, open {c.open}"
    )
    print(
        f"    doubled ≤ resent (in flight), every doubled row flagged resent "
        f"({r.doubled_not_resent} not): {'met' if r.doubles_within_resent else 'NOT met'}"
    )
    if r.refused:
        print(f"    sendMessage refused: {r.refused}")


SOURCES = (
    "bot/services/broadcasts/*.py",
    "bot/storage/broadcasts.py",
    "bot/storage/subscriptions.py",
    "bot/adapters/telegram/alerts.py",
    "bot/adapters/telegram/runtime.py",
    "bot/adapters/aiogram_bot.py",
)


# The code each part's senders loaded (they import it afresh at each start).
LOADED: defaultdict[str, set[str]] = defaultdict(set)


def sources_digest() -> str:
    """A fingerprint of the code under test: senders load it afresh at each start, so a
    change during a run would mix versions."""
    digest = hashlib.sha256()
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def engine_setting(name: str) -> str:
    """A constant of the delivery engine as it is today (they are tuned; some may go)."""
    return str(getattr(delivery, name, "?"))


def show(report: Report) -> None:
    postgres = report.label == "PostgreSQL"
    sender = "standby run" if report.label == "SQLite" else "standby broadcast deliver"
    print(f"\nbroadcast alerts on {report.label} (sender: `{sender}`)")
    print(
        f"  {'':34} {'subscr.':>8} {'sent':>8} {'msgs/s':>8} {'ratio':>6} {'429s':>5} "
        f"{'sender':>7} {'%core':>6} {'emul.':>6} {'%core':>6} "
        f"{'PG':>6} {'%core':>6} {'peakMiB':>8} {'stalls':>6} {'%time':>6}"
    )
    print(
        f"  {'':75} CPU ms per message, and share of one core while sending"
        f"{'':12}gaps > 10 intervals"
    )

    def row(run: Run, ratio: float | None) -> None:
        db = (
            f"{run.per_message(run.db_cpu):>6.2f} {run.share(run.db_cpu):>6.0%}"
            if run.db_cpu is not None
            else f"{'':>6} {'':>6}"
        )
        print(
            f"  {run.name:34} {run.count:>8,} {run.sent:>8,} {run.rate:>8,.1f} "
            f"{'' if ratio is None else f'{ratio:.2f}':>6} {run.too_many:>5} "
            f"{run.per_message(run.sender_cpu):>7.2f} {run.share(run.sender_cpu):>6.0%} "
            f"{run.per_message(run.own_cpu):>6.2f} {run.share(run.own_cpu):>6.0%} "
            f"{db} {run.peak_rss:>8.1f} {run.stalls[0]:>6,} {run.stalls[1]:>6.0%}"
        )

    def refused(run: Run) -> None:
        if run.refused:
            print(f"    {run.name}: sendMessage refused {run.refused}")

    if report.limited is not None:
        run = report.limited
        row(run, run.rate / LIMIT)
        met = run.rate / LIMIT >= 0.95 and run.too_many == 0 and run.sent == run.count
        print(f"    goal ≥ 0.95 of {LIMIT:g}/s with no 429: {'met' if met else 'NOT met'}")
        refused(run)
    if report.lifted:
        bare = statistics.mean(r.rate for r in (report.lifted[0], report.lifted[2]))
        for run in report.lifted:
            row(run, run.rate / bare if run is report.lifted[1] else None)
        refused(report.lifted[1])
        standby = report.lifted[1].rate
        print(
            f"    Standby at {standby / PAID_RATE:.2f} of its BROADCAST_RATE ({PAID_RATE:g}/s, "
            f"Telegram's paid limit), which caps Standby / bare at {PAID_RATE / bare:.2f}"
        )
        print(
            f"    Standby / bare aiohttp (mean of before and after): "
            f"{report.lifted[1].rate / bare:.2f} (bare loop: {report.concurrency} requests "
            f"at a time; Standby: ≤ {engine_setting('MAX_IN_FLIGHT')} sends at a time over "
            f"aiogram's 100 connections)"
        )
    if len(report.memory) == 2:
        small, large = report.memory
        for run in report.memory:
            if run not in report.lifted:
                row(run, None)
                refused(run)
        ratio = large.peak_rss / small.peak_rss
        print(
            f"    sender peak RSS {large.count:,} / {small.count:,} subscribers: "
            f"{large.peak_rss:.1f} / {small.peak_rss:.1f} MiB = {ratio:.2f} "
            f"(goal ≈ 1: {'met' if ratio < 1.1 else 'NOT met'}); rate {large.rate:,.0f} vs "
            f"{small.rate:,.0f} msgs/s"
        )
        print(
            f"    above the idle sender's peak (started, flows loaded, before the alert): "
            f"+{large.peak_rss - large.ready_rss:.1f} MiB for {large.count:,}, "
            f"+{small.peak_rss - small.ready_rss:.1f} MiB for {small.count:,} "
            f"(idle: {small.ready_rss:.1f} MiB)"
        )
    if report.killed is not None:
        k = report.killed
        print(
            f"  kill -9 at {k.at_kill:,} of {k.count:,} sent (paid, 1000/s, limit lifted); "
            f"{k.at_restart:,} had arrived when the second sender started"
        )
        show_received(k.received)
        lease = " (the 30 s lease)" if postgres else " (given back at once: one sender)"
        print(
            f"    kill → second sender sending {k.kill_to_sending:.1f} s; kill → broadcast "
            f"done {k.kill_to_done:.1f} s{lease}"
        )
    if report.fault is not None:
        print(
            f"  one failed write of an outcome (a trigger fails it once, at subscriber "
            f"{report.fault_count // 2:,} of {report.fault_count:,}; one sender, paid 1000/s)"
        )
        show_received(report.fault)
    for count, seconds in report.inserts:
        print(f"  {count:,} contacts + subscriptions inserted in {seconds:.1f} s")
    if report.notes:
        print(f"  the senders logged ({len(report.notes)} lines; the first 12):")
        for line in report.notes[:12]:
            print(f"    {line[:200]}")


async def main(args: argparse.Namespace) -> None:
    if args.quick:
        for name, size in QUICK.items():
            setattr(args, name, size)
    print(
        f"sizes: at the limit {args.limited:,}; lifted {args.lifted:,}; memory "
        f"{args.memory_small:,} vs {args.memory_large:,}; kill -9 {args.kill:,}; "
        f"bare loop concurrency {args.concurrency}; parts {args.parts}; "
        f"{'Redis ' + args.redis if args.redis else 'no Redis (each sender paces itself)'}",
        flush=True,
    )
    settings = ("CLAIM_SECONDS", "RECORD_EVERY", "RECORD_SECONDS", "MAX_IN_FLIGHT", "LEASE")
    digest = sources_digest()
    print(
        "delivery engine: "
        + ", ".join(f"{name} {engine_setting(name)}" for name in settings)
        + f"; sources {digest}",
        flush=True,
    )
    began = time.monotonic()
    reports = []
    if not args.skip_sqlite:
        reports.append(await measure("", args))
    if args.postgres:
        reports.append(await measure(args.postgres, args))
    for report in reports:
        show(report)
    print(f"\n(total {time.monotonic() - began:.0f} s)")
    versions = {version for loaded in LOADED.values() for version in loaded}
    if versions != {digest}:
        print("WARNING: the delivery code changed during the run; senders loaded:")
        for part, loaded in LOADED.items():
            print(f"  {part}: {', '.join(sorted(loaded))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limited", type=int, default=2000, help="subscribers at 30/s")
    parser.add_argument("--lifted", type=int, default=10_000, help="subscribers, limit lifted")
    parser.add_argument("--memory-small", type=int, default=10_000)
    parser.add_argument("--memory-large", type=int, default=100_000)
    parser.add_argument("--kill", type=int, default=10_000, help="subscribers for kill -9")
    parser.add_argument(
        "--kill-at", type=float, default=0.525, help="kill when this share has the alert"
    )
    parser.add_argument(
        "--fault", type=int, default=3000, help="subscribers for the `fault` part (not default)"
    )
    parser.add_argument("--concurrency", type=int, default=100, help="the bare loop's")
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--parts", default="limited,lifted,memory,kill")
    parser.add_argument("--postgres", default="", help="a PostgreSQL server URL: run there too")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--redis", default="", help="REDIS_URL for the senders (default: none, local pacing)"
    )
    parser.add_argument("--logs", default="", help="keep the senders' logs (and SQLite files) here")
    arguments = parser.parse_args()
    if arguments.logs:
        Path(arguments.logs).mkdir(parents=True, exist_ok=True)
    asyncio.run(main(arguments))
