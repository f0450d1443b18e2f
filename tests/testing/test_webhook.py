"""Webhook delivery: the secret header, retries after failures, order, and status."""

from __future__ import annotations

from bot.testing import EmulatedBot, Emulator
from tests.testing.support import RawClient, Receiver


async def test_updates_are_posted_with_the_secret_header(
    tg: Emulator, bot: EmulatedBot, client: RawClient
) -> None:
    async with Receiver() as receiver:
        result = await client.call("setWebhook", url=receiver.url, secret_token="s3cret_-x")
        assert result == (200, {"ok": True, "result": True, "description": "Webhook was set"})
        user = tg.user(42, "Amina")
        await user.send("/start")
        await tg.world.changed.wait_for(lambda: len(receiver.received) == 1, 2)
    headers, update = receiver.received[0]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret_-x"
    assert update["update_id"] == 1
    assert update["message"]["text"] == "/start"
    assert bot.updates.pending == []


async def test_failed_deliveries_are_retried_in_order(
    tg: Emulator, bot: EmulatedBot, client: RawClient
) -> None:
    async with Receiver(statuses=[500, 502]) as receiver:
        await client.ok("setWebhook", url=receiver.url)
        user = tg.user(42, "Amina")
        await user.send("first")
        await user.send("second")
        await tg.world.changed.wait_for(lambda: len(receiver.received) == 4, 3)
    texts = [update["message"]["text"] for _, update in receiver.received]
    assert texts == ["first", "first", "first", "second"]
    assert "X-Telegram-Bot-Api-Secret-Token" not in receiver.received[0][0]
    info = await client.ok("getWebhookInfo")
    assert info["url"] == receiver.url
    assert info["pending_update_count"] == 0
    assert info["last_error_message"] == "Wrong response from the webhook: 502 Bad Gateway"
    assert bot.webhook_status.failures == 2
    assert bot.webhook_status.deliveries == 2


async def test_unreachable_webhook_keeps_updates_pending(
    tg: Emulator, bot: EmulatedBot, client: RawClient
) -> None:
    async with Receiver() as receiver:
        url = receiver.url
    await client.ok("setWebhook", url=url)
    await tg.user(42, "Amina").send("anyone there?")
    await tg.world.changed.wait_for(lambda: bot.webhook_status.failures >= 2, 2)
    info = await client.ok("getWebhookInfo")
    assert info["pending_update_count"] == 1
    assert info["last_error_message"] == "Connection refused"
    # Deleting the webhook hands the update to getUpdates.
    result = await client.call("deleteWebhook")
    assert result[1]["description"] == "Webhook was deleted"
    assert [u["message"]["text"] for u in await client.ok("getUpdates")] == ["anyone there?"]


async def test_drop_pending_updates(tg: Emulator, client: RawClient) -> None:
    await tg.user(42, "Amina").send("old news")
    await client.ok("setWebhook", url="http://127.0.0.1:9/hook", drop_pending_updates=True)
    await client.ok("deleteWebhook")
    assert await client.ok("getUpdates") == []
    assert (await client.ok("getWebhookInfo"))["url"] == ""


async def test_bad_webhook_settings_are_refused(client: RawClient) -> None:
    _, description = await client.error("setWebhook", url="ftp://example.org")
    assert description.startswith("Bad Request: bad webhook")
    _, description = await client.error("setWebhook", url="https://x.org", secret_token="no spaces")
    assert description == "Bad Request: secret token contains unallowed characters"


async def test_a_repeated_update_keeps_its_id(tg: Emulator, client: RawClient) -> None:
    async with Receiver() as receiver:
        await client.ok("setWebhook", url=receiver.url)
        user = tg.user(42, "Amina")
        await user.send("/start")
        await user.repeat_last_update()
        await tg.world.changed.wait_for(lambda: len(receiver.received) == 2, 2)
    assert [update["update_id"] for _, update in receiver.received] == [1, 1]
