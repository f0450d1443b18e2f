"""The real `standby run` process against the emulator: start, talk, reload, stop, restart."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.testing import Emulator
from tests.telegram.conftest import ROOT, TOKEN, free_port, reply_with

pytestmark = pytest.mark.slow


class BotProcess:
    """`standby run` (or another `standby` command) as its own process, logging to `log`."""

    def __init__(
        self, env: dict[str, str], log: Path, arguments: tuple[str, ...] = ("run",)
    ) -> None:
        self.env, self.log, self.arguments = env, log, arguments
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                *self.arguments,
                env=self.env,
                cwd=ROOT,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 30)

    async def kill(self) -> None:
        """SIGKILL: no goodbye, as in a crash or an out-of-memory kill."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as tg:  # Telegram's own rate limits on: the bot must cope
        tg.add_bot(TOKEN, username="standby_test_bot")
        yield tg


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_standby_run_serves_reloads_stops_and_resumes(
    emulator: Emulator, framework: str, tmp_path: Path
) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": emulator.base_url,
        "BOT_FRAMEWORK": framework,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'standby.db'}",
        "FLOWS_DIR": str(flows),
        "WEBHOOK_LISTEN": f"127.0.0.1:{free_port()}",
        "LOG_LEVEL": "INFO",
    }
    log = tmp_path / "standby.log"
    bot = BotProcess(env, log)
    await bot.start()
    noor = emulator.user(555001, "Noor")
    await noor.send("/menu")
    await reply_with(noor, "What would you like to do?", within=30)
    await noor.click("Protest safety")
    await reply_with(noor, "Where is the protest?", within=30)
    await noor.click("England")
    await reply_with(noor, "What would you like to know about?")

    about = flows / "about.yaml"
    about.write_text(
        about.read_text().replace(
            "We are an independent community service.",
            "We are an independent community service, always.",
        )
    )
    bot.signal(signal.SIGHUP)
    await asyncio.sleep(1)
    assert await bot.stop() == 0

    await bot.start()
    await noor.click("Make a safety plan")
    await reply_with(noor, "When are you going?", within=30)
    await noor.send("Secretstreet")
    await noor.send("/about")
    await reply_with(noor, "We are an independent community service, always.")
    assert await bot.stop() == 0

    logged = log.read_text()
    assert "Standby is running as @standby_test_bot" in logged
    for secret in (TOKEN.split(":")[1], "555001", "Secretstreet", "Noor"):
        assert secret not in logged, f"{secret!r} must not be logged"


async def test_a_refused_token_or_a_missing_database_is_one_clear_line(
    emulator: Emulator, tmp_path: Path
) -> None:
    base = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "FLOWS_DIR": str(ROOT / "flows"),
        "WEBHOOK_LISTEN": f"127.0.0.1:{free_port()}",
    }
    cases = [
        (
            {
                "BOT_TOKEN": "999:NOT-REGISTERED",
                "BOT_API_URL": emulator.base_url,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
            },
            2,
            f"standby: setting BOT_TOKEN was refused by the Bot API at {emulator.base_url}",
        ),
        (
            {
                "BOT_TOKEN": TOKEN,
                "BOT_API_URL": emulator.base_url,
                "DATABASE_URL": "postgresql://postgres:pw@127.0.0.1:1/none",
            },
            1,
            "standby: cannot use the database (DATABASE_URL): ",
        ),
    ]
    for extra, code, start in cases:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env={**base, **extra},
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), 60)
        lines = [line for line in err.decode().splitlines() if line.startswith("standby:")]
        assert process.returncode == code, err.decode()
        assert len(lines) == 1, err.decode()
        assert lines[0].startswith(start)
        assert "Traceback" not in err.decode()
        assert ":pw@" not in err.decode(), "never print the database password"
