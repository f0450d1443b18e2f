"""Injected failures and blocked chats, as the bot's HTTP client sees them."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from bot.testing import EmulatedBot, Emulator, Fault, User
from tests.testing.support import RawClient


@pytest.fixture
async def user(tg: Emulator, bot: EmulatedBot) -> User:
    """A person who has started the bot."""
    amina = tg.user(42, "Amina")
    await amina.send("/start")
    return amina


@pytest.mark.parametrize(
    ("fault", "status", "description"),
    [
        (Fault.blocked(), 403, "Forbidden: bot was blocked by the user"),
        (Fault.deactivated(), 403, "Forbidden: user is deactivated"),
        (Fault.server_error(), 500, "Internal Server Error"),
        (Fault.bad_gateway(), 502, "Bad Gateway"),
        (Fault.too_many_requests(7), 429, "Too Many Requests: retry after 7"),
    ],
)
async def test_next_call_fails_as_ordered(
    tg: Emulator, user: User, client: RawClient, fault: Fault, status: int, description: str
) -> None:
    tg.inject(fault)
    got_status, body = await client.call("sendMessage", chat_id=42, text="hi")
    assert (got_status, body["error_code"], body["description"]) == (status, status, description)
    if status == 429:
        assert body["parameters"] == {"retry_after": 7}
    await client.ok("sendMessage", chat_id=42, text="fine again")


async def test_faults_can_target_a_method_and_a_chat_several_times(
    tg: Emulator, user: User, client: RawClient
) -> None:
    await tg.user(43, "Ben").send("/start")
    tg.inject(Fault.server_error(), times=2, method="sendmessage", chat_id=43)
    await client.ok("getMe")
    await client.ok("sendMessage", chat_id=42, text="other chat is fine")
    assert (await client.call("sendMessage", chat_id=43, text="x"))[0] == 500
    assert (await client.call("sendMessage", chat_id=43, text="x"))[0] == 500
    await client.ok("sendMessage", chat_id=43, text="x")


async def test_bad_gateway_can_be_the_nginx_html_page(
    tg: Emulator, user: User, client: RawClient
) -> None:
    tg.inject(Fault.bad_gateway(html=True))
    async with client.session.post(client.url("getMe")) as response:
        assert response.status == 502
        assert "<h1>502 Bad Gateway</h1>" in await response.text()


async def test_timeout_hangs_then_drops_the_connection(
    tg: Emulator, user: User, client: RawClient
) -> None:
    tg.inject(Fault.timeout(hang=2.0))
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        async with client.session.post(
            client.url("sendMessage"),
            json={"chat_id": 42, "text": "hello?"},
            timeout=aiohttp.ClientTimeout(total=0.1),
        ):
            pass
    assert time.monotonic() - started < 1.5
    # A patient client sees the connection dropped without an answer.
    tg.inject(Fault.timeout(hang=0.05))
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client.call("sendMessage", chat_id=42, text="hello?")
    assert user.bot_messages == []


async def test_closing_the_emulator_ends_a_hang() -> None:
    async with Emulator() as emulator:
        emulator.add_bot("777:HANG-token")
        emulator.inject(Fault.timeout())
        async with aiohttp.ClientSession() as session:
            request = asyncio.create_task(
                session.post(f"{emulator.base_url}/bot777:HANG-token/getMe")
            )
            await asyncio.sleep(0.05)
            started = time.monotonic()
            await emulator.close()
            with pytest.raises(aiohttp.ClientError):
                await request
            assert time.monotonic() - started < 2


async def test_a_blocked_chat_refuses_every_send(
    tg: Emulator, user: User, client: RawClient
) -> None:
    tg.block(42)
    for _ in range(3):
        status, description = await client.error("sendMessage", chat_id=42, text="hi")
        assert (status, description) == (403, "Forbidden: bot was blocked by the user")
    tg.unblock(42)
    await client.ok("sendMessage", chat_id=42, text="welcome back")


async def test_blocking_from_the_user_side_tells_the_bot(user: User, client: RawClient) -> None:
    user.block_bot()
    updates = await client.ok("getUpdates")
    change = updates[-1]["my_chat_member"]
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "member",
        "kicked",
    )
    _, description = await client.error("sendChatAction", chat_id=42, action="typing")
    assert description == "Forbidden: bot was blocked by the user"
    user.deactivate()
    _, description = await client.error("sendMessage", chat_id=42, text="hi")
    assert description == "Forbidden: user is deactivated"
