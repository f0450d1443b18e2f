"""Standby's own polling loop (`Updates`) with a fake getUpdates: poison updates are
confirmed past, failures back off, `stop` cuts a long poll short, and the webhook's `feed`
of an update that cannot be read returns normally."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Sequence
from typing import Any

import pytest

from bot.adapters.telegram.errors import RetryAfter, Transient
from bot.adapters.telegram.inbound import Incoming
from bot.adapters.telegram.polling import Updates


def read(data: dict[str, Any]) -> Incoming | None:
    """A strict little library: a message needs a chat id, or it raises KeyError."""
    message = data.get("message")
    if message is None:
        return None
    return Incoming(update_id=data["update_id"], chat_id=message["chat"]["id"], private=True)


def good(update_id: int, chat_id: int = 1) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"chat": {"id": chat_id}}}


def poison(update_id: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"text": "Zorblaxian"}}


class FakeTelegram:
    """getUpdates answering from a script of batches (or exceptions), then long-polling
    (an empty answer after `long_poll` seconds, or sooner if cancelled)."""

    def __init__(self, *answers: Sequence[object] | BaseException, long_poll: float = 30) -> None:
        self.answers = list(answers)
        self.long_poll = long_poll
        self.calls: list[tuple[int | None, int]] = []
        self.times: list[float] = []
        self.polling = asyncio.Event()
        self.failed = asyncio.Event()

    async def fetch(self, offset: int | None, long_poll: int) -> Sequence[object]:
        self.calls.append((offset, long_poll))
        self.times.append(time.monotonic())
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, BaseException):
                self.failed.set()
                raise answer
            return answer
        if long_poll == 0:
            return []
        self.polling.set()
        await asyncio.sleep(self.long_poll)
        return []


def gaps_of(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


class Received:
    def __init__(self) -> None:
        self.updates: list[Incoming] = []

    async def __call__(self, update: Incoming) -> None:
        self.updates.append(update)


async def polled(telegram: FakeTelegram, received: Received, first_wait: float = 1.0) -> None:
    """Run the loop until the script is used up and it waits in a long poll, then stop."""
    updates = Updates(telegram.fetch, read, received, first_wait=first_wait)
    running = asyncio.create_task(updates.run())
    await asyncio.wait_for(telegram.polling.wait(), 10)
    await updates.stop()
    await running


async def test_a_batch_with_a_poison_update_is_confirmed_past_and_the_good_ones_handed_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    telegram = FakeTelegram([good(1), poison(2), "junk", good(3, chat_id=2)], [good(4)])
    received = Received()

    with caplog.at_level(logging.INFO):
        await polled(telegram, received)

    assert [(u.update_id, u.chat_id) for u in received.updates] == [(1, 1), (3, 2), (4, 1)]
    # The next call confirms the whole first batch, the poison with it; stopping in the
    # long poll after that confirms once more, without waiting.
    assert telegram.calls == [(None, 25), (4, 25), (5, 25), (5, 0)]
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert skipped == [
        "update 2 skipped: it could not be read (KeyError)",
        "update ? skipped: it could not be read (UnexpectedValue)",
    ]
    assert "Zorblaxian" not in caplog.text


async def test_stopping_confirms_what_was_taken_without_a_long_poll() -> None:
    telegram = FakeTelegram([good(7), poison(8)])
    stopping: list[asyncio.Task[None]] = []

    async def receive(update: Incoming) -> None:
        # Stopped as soon as the first update is handled, the next long poll barely begun.
        stopping.append(asyncio.create_task(updates.stop()))

    updates = Updates(telegram.fetch, read, receive)
    await asyncio.wait_for(updates.run(), 5)
    await stopping[0]
    # A restart starts after them, instead of receiving them (the poison too) again.
    assert telegram.calls[0] == (None, 25)
    assert telegram.calls[-1] == (9, 0)


async def test_a_batch_of_only_poison_still_moves_the_offset() -> None:
    telegram = FakeTelegram([poison(40), poison(41)], [good(42)])
    received = Received()
    await polled(telegram, received)
    assert [offset for offset, _ in telegram.calls] == [None, 42, 43, 43]
    assert [u.update_id for u in received.updates] == [42]


async def test_a_batch_with_nothing_to_confirm_is_asked_again_after_a_pause_said_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unconfirmable = ["junk", {"update_id": -5, "message": {"chat": {"id": 1}}}]
    telegram = FakeTelegram(unconfirmable, unconfirmable, unconfirmable, [good(9)])
    received = Received()

    with caplog.at_level(logging.INFO):
        await polled(telegram, received, first_wait=0.05)

    assert [offset for offset, _ in telegram.calls] == [None, None, None, None, 10, 10]
    gaps = gaps_of(telegram.times)
    assert all(gap >= 0.04 for gap in gaps[:3]), "no spinning on the same answer"
    assert [u.update_id for u in received.updates] == [9]
    lines = [r.getMessage() for r in caplog.records]
    assert sum("nothing new to confirm" in line for line in lines) == 1
    # Each unconfirmable update is logged the first time only, not on every repeat.
    assert sum("skipped" in line for line in lines) == 2


async def test_a_fetch_that_raises_backs_off_doubling_then_carries_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    telegram = FakeTelegram(
        Transient("Zorblaxian 502"),
        ValueError("Zorblaxian"),
        Transient("again"),
        [good(1)],
        Transient("once more"),
        [good(2)],
    )
    received = Received()

    with caplog.at_level(logging.INFO):
        await polled(telegram, received, first_wait=0.05)

    gaps = gaps_of(telegram.times)
    assert gaps[0] >= 0.05, gaps
    assert gaps[1] >= 0.1, gaps
    assert gaps[2] >= 0.2, gaps
    # A good answer resets the wait.
    assert 0.05 <= gaps[4] < 0.2, gaps
    assert [u.update_id for u in received.updates] == [1, 2]
    failures = [r.getMessage() for r in caplog.records if "getUpdates failed" in r.getMessage()]
    assert failures[:2] == [
        "getUpdates failed (Transient); trying again in 0 s",
        "getUpdates failed (ValueError); trying again in 0 s",
    ]
    assert "Zorblaxian" not in caplog.text


async def test_flood_control_waits_as_long_as_asked() -> None:
    telegram = FakeTelegram(RetryAfter(0.2), [good(1)])
    received = Received()
    await polled(telegram, received, first_wait=5)
    assert telegram.times[1] - telegram.times[0] >= 0.2
    assert [u.update_id for u in received.updates] == [1]


async def test_stop_cuts_a_long_poll_short() -> None:
    telegram = FakeTelegram(long_poll=600)
    updates = Updates(telegram.fetch, read, Received())
    running = asyncio.create_task(updates.run())
    await asyncio.wait_for(telegram.polling.wait(), 5)

    started = time.monotonic()
    await asyncio.wait_for(updates.stop(), 5)
    await asyncio.wait_for(running, 1)

    assert time.monotonic() - started < 1
    assert telegram.calls == [(None, 25)]  # nothing taken: nothing to confirm


async def test_stop_during_a_back_off_returns_at_once() -> None:
    telegram = FakeTelegram(Transient("down"), long_poll=600)
    updates = Updates(telegram.fetch, read, Received(), first_wait=600)
    running = asyncio.create_task(updates.run())
    await asyncio.wait_for(telegram.failed.wait(), 5)
    await asyncio.wait_for(updates.stop(), 2)
    await asyncio.wait_for(running, 1)


async def test_cancelling_run_is_not_swallowed_by_a_stop_under_way() -> None:
    telegram = FakeTelegram(long_poll=600)
    updates = Updates(telegram.fetch, read, Received())
    running = asyncio.create_task(updates.run())
    await asyncio.wait_for(telegram.polling.wait(), 5)
    running.cancel()
    stopping = asyncio.create_task(updates.stop())
    with pytest.raises(asyncio.CancelledError):
        await running
    await asyncio.wait_for(stopping, 2)


async def test_a_receiver_that_raises_does_not_end_polling(
    caplog: pytest.LogCaptureFixture,
) -> None:
    telegram = FakeTelegram([good(1)], [good(2)])
    seen: list[int] = []

    async def receive(update: Incoming) -> None:
        seen.append(update.update_id)
        if update.update_id == 1:
            raise RuntimeError("Zorblaxian")

    updates = Updates(telegram.fetch, read, receive)
    running = asyncio.create_task(updates.run())
    await asyncio.wait_for(telegram.polling.wait(), 10)
    await updates.stop()
    await running
    assert seen == [1, 2]
    assert "update 1 could not be handled" in caplog.text


@pytest.mark.parametrize(
    "data",
    [poison(3), {"update_id": "3", "message": {"chat": {"id": 1}}}, {"update_id": 2**64}],
    ids=["poison", "id as text", "id beyond 64 bits"],
)
async def test_feed_of_an_update_that_cannot_be_read_returns_normally(
    data: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    received = Received()
    updates = Updates(FakeTelegram().fetch, read, received)
    with caplog.at_level(logging.WARNING):
        await updates.feed(data)
        await updates.feed(good(4))
    assert [u.update_id for u in received.updates] == [4]
    assert sum("skipped" in r.getMessage() for r in caplog.records) == 1
