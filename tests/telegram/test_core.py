"""The library-independent half of the Telegram adapters, piece by piece."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bot.adapters.telegram.api import BotInfo
from bot.adapters.telegram.callbacks import MAX_BYTES, STALE, CallbackCodec
from bot.adapters.telegram.errors import Blocked, Rejected, RetryAfter, Transient
from bot.adapters.telegram.retry import BACKOFF, patiently
from bot.adapters.telegram.runtime import TokenRefused, introduce
from bot.adapters.telegram.sequencer import ChatSequencer
from bot.adapters.telegram.text import LIMIT, escape, split_text, utf16_length
from bot.engine import Ask, Button, Choice, Input, InputKind
from bot.engine.answers import EXIT
from tests.engine.builders import flow, flows

LONG = "s" * 48
CHOICE = "v" * 48
FLOWS = flows(
    flow(
        "a_very_long_flow_identifier_that_goes_on_and_on_x",
        Ask(LONG, "?", InputKind.CHOICE, choices=(Choice("Go", CHOICE),)),
        home=True,
    )
)
CODEC = CallbackCodec(b"secret")
BUTTON = Button("Go", LONG, CHOICE, flow="a_very_long_flow_identifier_that_goes_on_and_on_x")


def test_callback_data_fits_64_bytes_whatever_the_ids() -> None:
    data = CODEC.encode(42, BUTTON)
    assert len(data.encode()) <= MAX_BYTES
    assert CODEC.decode(42, data, FLOWS) == Input.press(LONG, CHOICE, BUTTON.flow)


@pytest.mark.parametrize(
    "data",
    ["", "nonsense", "x" * 64, "AAAAAAAA:" + CHOICE + ":AAAAAA"],
    ids=["empty", "junk", "long", "forged-signature"],
)
def test_data_not_issued_by_this_bot_is_stale(data: str) -> None:
    assert CODEC.decode(42, data, FLOWS) == STALE


def test_data_from_another_chat_or_another_bot_is_stale() -> None:
    data = CODEC.encode(42, BUTTON)
    assert CODEC.decode(43, data, FLOWS) == STALE
    assert CallbackCodec(b"other").decode(42, data, FLOWS) == STALE


def test_data_for_a_step_that_no_longer_exists_is_stale() -> None:
    data = CODEC.encode(42, Button("Go", "gone", "x", flow="menu"))
    assert CODEC.decode(42, data, FLOWS) == STALE


def test_leave_now_from_a_step_that_no_longer_exists_still_leaves() -> None:
    data = CODEC.encode(42, Button("Leave now", "gone", EXIT, flow="menu"))

    pressed = CODEC.decode(42, data, FLOWS)

    assert pressed != STALE
    assert pressed.value == EXIT
    assert CODEC.decode(43, data, FLOWS) == STALE  # still only for the chat it was sent to


def test_long_text_splits_at_paragraphs_within_the_limit() -> None:
    paragraph = "word " * 300
    text = "\n\n".join(paragraph.strip() for _ in range(10))
    parts = split_text(text)
    assert len(parts) > 1
    assert all(utf16_length(part) <= LIMIT for part in parts)
    assert all(part.endswith("word") for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_the_limit_counts_utf16_units_and_never_splits_an_emoji() -> None:
    text = "🙂" * 3000  # 6000 UTF-16 units, no spaces to cut at
    parts = split_text(text)
    assert [utf16_length(p) for p in parts] == [4096, 1904]
    assert "".join(parts) == text


def test_html_is_escaped_but_nothing_else() -> None:
    assert escape('Green & Black Cross <team> "quoted"') == (
        'Green &amp; Black Cross &lt;team&gt; "quoted"'
    )


async def test_flood_waits_are_honoured_and_brief_failures_retried() -> None:
    slept: list[float] = []
    outcomes: list[Exception | str] = [RetryAfter(3), Transient("502"), Transient("502"), "sent"]

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def call() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert await patiently(call, sleep=sleep) == "sent"
    assert slept == [3, BACKOFF[0], BACKOFF[1]]


async def test_blocked_is_not_retried_and_endless_failures_give_up() -> None:
    calls = 0

    async def sleep(_seconds: float) -> None:
        return None

    async def blocked() -> None:
        nonlocal calls
        calls += 1
        raise Blocked("bot was blocked by the user")

    with pytest.raises(Blocked):
        await patiently(blocked, sleep=sleep)
    assert calls == 1

    async def down() -> None:
        raise Transient("500")

    with pytest.raises(Transient):
        await patiently(down, sleep=sleep)


async def test_one_chat_in_order_other_chats_alongside() -> None:
    sequencer = ChatSequencer()
    seen: list[str] = []

    def work(name: str, delay: float) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await asyncio.sleep(delay)
            seen.append(name)

        return run

    tasks = [
        sequencer.submit(1, work("1a", 0.05)),
        sequencer.submit(1, work("1b", 0.0)),
        sequencer.submit(2, work("2a", 0.0)),
    ]
    await asyncio.gather(*tasks)
    assert seen == ["2a", "1a", "1b"]
    assert len(sequencer) == 0


async def test_start_waits_for_telegram_and_refuses_a_bad_token() -> None:
    slept: list[float] = []
    answers: list[Exception | BotInfo] = [Transient("down"), RetryAfter(5), BotInfo(1, "bot")]

    class Flaky:
        @property
        def api(self) -> Flaky:
            return self

        async def start(self) -> None:
            return None

        async def get_me(self) -> BotInfo:
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    assert await introduce(Flaky(), sleep) == BotInfo(1, "bot")  # type: ignore[arg-type]
    assert slept == [1.0, 2.0]

    class Refusing(Flaky):
        async def get_me(self) -> BotInfo:
            raise Rejected("Unauthorized")

    with pytest.raises(TokenRefused):
        await introduce(Refusing(), sleep)  # type: ignore[arg-type]


@pytest.mark.parametrize("data", ["AAAAAAAA:value:é€ü✓xy", "ключ:значение:подпись"])
def test_regression_made_up_data_with_other_scripts_is_stale_not_a_crash(data: str) -> None:
    assert CODEC.decode(42, data, FLOWS) == STALE


async def test_regression_a_cancelled_turn_does_not_cancel_the_ones_behind_it() -> None:
    sequencer = ChatSequencer()
    seen: list[str] = []
    blocker = asyncio.Event()

    async def stuck() -> None:
        await blocker.wait()

    async def later() -> None:
        seen.append("later")

    first = sequencer.submit(1, stuck)
    second = sequencer.submit(1, later)
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.wait_for(second, 1)
    assert seen == ["later"]
