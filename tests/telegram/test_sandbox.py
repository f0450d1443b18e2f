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

from tests.telegram.conftest import ROOT

pytestmark = pytest.mark.slow


async def wait_for_bot_text(
    http: aiohttp.ClientSession, base: str, fragment: str
) -> dict[str, Any]:
    for _ in range(150):
        async with http.get(f"{base}/_emulator/chats/7") as response:
            if response.status == 200:
                for message in reversed((await response.json())["messages"]):
                    if message["from_bot"] and fragment in message["text"]:
                        return dict(message)
        await asyncio.sleep(0.2)
    raise AssertionError(f"the sandbox bot never said {fragment!r}")


async def test_without_a_token_run_starts_a_sandbox_with_a_chat_page(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.db'}",
        "FLOWS_DIR": str(ROOT / "flows"),
        "LOCALES_DIR": str(ROOT / "locales"),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    shown = ""
    while "Ctrl-C" not in shown:
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert line, f"the sandbox stopped: {shown}"
        shown += line.decode()
    assert "@BotFather" in shown
    assert "BOT_TOKEN" in shown
    found = re.search(r"(http://127\.0\.0\.1:\d+)/", shown)
    assert found, shown
    base = found.group(1)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/") as page:
                assert page.status == 200
                assert "<html" in (await page.text()).lower()
            await http.post(f"{base}/_emulator/users", json={"id": 7, "first_name": "Visitor"})
            await http.post(f"{base}/_emulator/chats/7/messages", json={"text": "/start"})
            question = await wait_for_bot_text(http, base, "Are you safe right now?")
            data = question["buttons"][0][0]["callback_data"]
            await http.post(
                f"{base}/_emulator/chats/7/clicks",
                json={"message_id": question["message_id"], "data": data},
            )
            await wait_for_bot_text(http, base, "What would you like to do?")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
