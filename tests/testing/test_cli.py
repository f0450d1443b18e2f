"""`python -m bot.testing`: arguments and the printed connection details."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest

from bot.testing.__main__ import DEFAULT_TOKEN, parse_args, serve


def test_arguments_have_local_defaults() -> None:
    args = parse_args([])
    assert (args.host, args.port, args.tokens, args.no_rate_limit) == (
        "127.0.0.1",
        8081,
        None,
        False,
    )
    args = parse_args(["--port", "0", "--token", "1:A", "--token", "2:B", "--no-rate-limit"])
    assert (args.port, args.tokens, args.no_rate_limit) == (0, ["1:A", "2:B"], True)


async def test_serve_prints_the_base_url_and_answers(capsys: pytest.CaptureFixture[str]) -> None:
    stop = asyncio.Event()
    server = asyncio.create_task(serve(parse_args(["--port", "0", "--no-rate-limit"]), stop))
    output = ""
    while "chat in your browser" not in output:
        assert not server.done()
        await asyncio.sleep(0.01)
        output += capsys.readouterr().out
    match = re.search(r"emulator at (http://127\.0\.0\.1:\d+)", output)
    assert match is not None
    assert DEFAULT_TOKEN in output
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{match.group(1)}/bot{DEFAULT_TOKEN}/getMe") as response,
    ):
        assert (await response.json())["ok"] is True
    stop.set()
    await server
