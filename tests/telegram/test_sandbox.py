"""`standby run` without a token: a local sandbox a person can chat with in a browser."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cryptography.fernet import Fernet

from bot.adapters.render import SELECTED_MARK
from tests.telegram.conftest import ROOT

pytestmark = pytest.mark.slow


async def wait_for_bot_text(
    http: aiohttp.ClientSession, base: str, fragment: str, *, after: int = 0
) -> dict[str, Any]:
    """The bot's latest message (newer than message id `after`) holding `fragment`."""
    for _ in range(150):
        async with http.get(f"{base}/_emulator/chats/7") as response:
            if response.status == 200:
                for message in reversed((await response.json())["messages"]):
                    if message["message_id"] <= after:
                        break
                    if message["from_bot"] and fragment in message["text"]:
                        return dict(message)
        await asyncio.sleep(0.2)
    raise AssertionError(f"the sandbox bot never said {fragment!r}")


class Visitor:
    """A person on the sandbox's chat page, through the page's own HTTP endpoints."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base, self.seen = http, base, 0

    async def say(self, text: str, then: str) -> str:
        await self.http.post(f"{self.base}/_emulator/chats/7/messages", json={"text": text})
        return await self._next(then)

    async def press(self, label: str, then: str) -> str:
        await self._click(label)
        return await self._next(then)

    async def toggle(self, label: str) -> None:
        """Press a choice of a many-answer question: the question shows it ticked."""
        message_id = await self._click(label)
        for _ in range(150):
            if any(b["text"] == SELECTED_MARK + label for b in await self._buttons(message_id)):
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"{label!r} was never ticked")

    async def _next(self, fragment: str) -> str:
        message = await wait_for_bot_text(self.http, self.base, fragment, after=self.seen)
        self.seen = message["message_id"]
        return str(message["text"])

    async def _messages(self) -> list[dict[str, Any]]:
        async with self.http.get(f"{self.base}/_emulator/chats/7") as response:
            return list((await response.json())["messages"])

    async def _buttons(self, message_id: int) -> list[dict[str, Any]]:
        for message in await self._messages():
            if message["message_id"] == message_id:
                return _buttons_of(message)
        return []

    async def _click(self, label: str) -> int:
        for message in reversed(await self._messages()):
            for button in _buttons_of(message):
                if button["text"] == label:
                    click = {"message_id": message["message_id"], "data": button["callback_data"]}
                    await self.http.post(f"{self.base}/_emulator/chats/7/clicks", json=click)
                    return int(message["message_id"])
        raise AssertionError(f"no button {label!r}")


def _buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [button for row in message.get("buttons") or [] for button in row]


def sandbox_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.db'}",
        "FLOWS_DIR": str(ROOT / "flows"),
        "LOCALES_DIR": str(ROOT / "locales"),
        **settings,
    }


class Sandbox:
    """`standby run` without a token, as a process; `banner` is what it printed up to
    "Press Ctrl-C", `base` the chat page's address."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.banner = self.rest = ""
        self.base = ""

    async def __aenter__(self) -> Sandbox:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=self.env,
            cwd=self.cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert self.process.stdout is not None
        while "Ctrl-C" not in self.banner:
            line = await asyncio.wait_for(self.process.stdout.readline(), 60)
            assert line, f"the sandbox stopped: {self.banner}"
            self.banner += line.decode()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/", self.banner)
        assert found, self.banner
        self.base = found.group(1)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        # Ctrl-C, as a person at the terminal stops it.
        self.process.send_signal(signal.SIGINT)
        out, _ = await asyncio.wait_for(self.process.communicate(), 30)
        self.rest = out.decode()


async def test_without_a_token_run_starts_a_sandbox_with_a_chat_page(tmp_path: Path) -> None:
    async with Sandbox(sandbox_env(tmp_path), tmp_path) as sandbox, aiohttp.ClientSession() as http:
        assert "@BotFather" in sandbox.banner
        assert "BOT_TOKEN" in sandbox.banner
        base = sandbox.base
        async with http.get(f"{base}/") as page:
            assert page.status == 200
            assert "<html" in (await page.text()).lower()
        await http.post(f"{base}/_emulator/users", json={"id": 7, "first_name": "Visitor"})
        visitor = Visitor(http, base)
        await visitor.say("/start", "Are you safe right now?")
        await visitor.press("Yes, I am safe", "What would you like to do?")
    assert sandbox.process.returncode == 0
    assert "Traceback" not in sandbox.rest, "Ctrl-C ends it cleanly"
    assert "stopping" in sandbox.rest


async def walk_a_report(visitor: Visitor) -> str:
    await visitor.say("/report", "Are you somewhere safe")
    await visitor.press("Yes, let's start", "Who are you reporting for?")
    await visitor.press("It happened to me", "What do you think the hate was about?")
    await visitor.toggle("Race or nationality")
    await visitor.press("Done", "What happened?")
    await visitor.toggle("Threats")
    await visitor.press("Done", "When did it happen?")
    await visitor.say("yesterday", "What time of day")
    await visitor.press("Evening", "Where did it happen?")
    await visitor.press("On public transport", "Which part of the UK")
    await visitor.press("England", "Which town or area")
    await visitor.say("Leeds", "In your own words")
    await visitor.say("Someone shouted at me on the bus", "Can you describe the people")
    await visitor.say("One man", "Do you know who did it?")
    await visitor.press("A stranger", "Did anyone else see it")
    await visitor.press("No", "Has this happened before")
    await visitor.press("It happened once", "photos, screenshots")
    await visitor.press("Skip", "How has this affected you")
    await visitor.press("Skip", "Have you already told the police")
    await visitor.press("No", "What kind of help")
    await visitor.press("Skip", "link your report to this chat")
    await visitor.press("Do not link it, keep me anonymous", "Who may see your report?")
    await visitor.press("Keep it with Standby only", "Is this right?")
    return await visitor.press("Yes, finish my report", "Your reference code is")


async def test_the_sandbox_finishes_a_report_with_a_key_of_its_own(tmp_path: Path) -> None:
    """Issue 13: without REPORT_KEYS, a sandbox makes a key beside its database and says so."""
    key_file = tmp_path / "sandbox-report.key"
    async with Sandbox(sandbox_env(tmp_path), tmp_path) as sandbox, aiohttp.ClientSession() as http:
        assert str(key_file) in sandbox.banner
        assert "REPORT_KEYS" in sandbox.banner
        await http.post(f"{sandbox.base}/_emulator/users", json={"id": 7, "first_name": "V"})
        saved = await walk_a_report(Visitor(http, sandbox.base))
        assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", saved), saved
    assert "reports cannot be saved" not in sandbox.banner + sandbox.rest
    assert key_file.stat().st_mode & 0o077 == 0, "only its owner may read the key"
    key = key_file.read_text()

    async with Sandbox(sandbox_env(tmp_path), tmp_path) as again:
        assert str(key_file) in again.banner
    assert again.process.returncode == 0, again.rest
    assert key_file.read_text() == key, "the next run opens the same reports"


async def test_a_given_report_key_is_used_and_no_file_is_made(tmp_path: Path) -> None:
    env = sandbox_env(tmp_path, REPORT_KEYS=Fernet.generate_key().decode())
    async with Sandbox(env, tmp_path) as sandbox:
        assert "sandbox key" not in sandbox.banner
    assert not (tmp_path / "sandbox-report.key").exists()


async def test_a_start_up_error_comes_before_any_banner(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "broken.yaml").write_text("spec: 1\nflow: broken\nsteps: [\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=sandbox_env(tmp_path, FLOWS_DIR=str(flows)),
        cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    shown = out.decode()
    assert process.returncode == 1, shown
    assert "broken.yaml" in shown
    assert "Chat with Standby in your browser" not in shown
    assert "Press Ctrl-C" not in shown


async def test_ctrl_c_on_tasks_py_run_ends_standby_cleanly(tmp_path: Path) -> None:
    """Issue 13: Ctrl-C reaches the whole terminal group; tasks.py waits for Standby's own
    shutdown instead of dying with a traceback (and killing Standby halfway)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "tasks.py"),
        "run",
        env=sandbox_env(tmp_path),
        cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # its own group, as a terminal's foreground job
    )
    assert process.stdout is not None
    shown = ""
    while "Press Ctrl-C" not in shown:
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        assert line, f"it stopped: {shown}"
        shown += line.decode()
    os.killpg(process.pid, signal.SIGINT)
    out, _ = await asyncio.wait_for(process.communicate(), 30)
    shown += out.decode()
    assert process.returncode == 0, shown
    assert "Traceback" not in shown
    assert "KeyboardInterrupt" not in shown
    assert "stopping" in shown
