"""A bare aiohttp loop sending sendMessage: the client-side ceiling for bench/broadcast.py.

    .venv/bin/python -m bench.broadcast_sender BASE_URL TOKEN FIRST_CHAT COUNT CONCURRENCY TEXT

Sends TEXT (parse_mode HTML, as Standby sends alerts) to the chats FIRST_CHAT … FIRST_CHAT +
COUNT - 1, CONCURRENCY requests at a time over as many kept-alive connections, reading each
answer as JSON. Nothing else: no database, no rate limiter. It prints "ready" once its
session is open, starts on a line from stdin, prints "done" (and how many were refused), and
exits when stdin closes, so that the caller can read its CPU time and peak memory first.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator

import aiohttp


async def send_all(
    base_url: str, token: str, chats: Iterator[int], concurrency: int, text: str
) -> int:
    """Send to every chat in `chats`; how many were refused."""
    url = f"{base_url}/bot{token}/sendMessage"
    refused = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)

        async def worker() -> None:
            nonlocal refused
            for chat_id in chats:  # one iterator shared by all workers
                payload = {
                    "chat_id": chat_id,
                    "text": text,
                    "parse_mode": "HTML",
                    "allow_paid_broadcast": True,
                }
                async with session.post(url, json=payload) as response:
                    answer = await response.json()
                if not answer.get("ok"):
                    refused += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return refused


def main() -> None:
    base_url, token, first, count, concurrency, text = sys.argv[1:7]
    chats = iter(range(int(first), int(first) + int(count)))
    refused = asyncio.run(send_all(base_url, token, chats, int(concurrency), text))
    print(f"done {refused}", flush=True)
    sys.stdin.read()  # until the caller has measured us and closes the pipe


if __name__ == "__main__":
    main()
