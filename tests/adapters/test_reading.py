"""Reading raw updates one by one, with each library's real reading (issue 13: "poison
updates stall polling for everyone"): what cannot be read is skipped with one line naming
its id and the error's type, never its content, and the offset still passes it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from bot.adapters import aiogram_bot, ptb_bot
from bot.adapters.telegram.inbound import Incoming
from bot.adapters.telegram.reading import (
    Read,
    UnexpectedValue,
    checked,
    read_batch,
    read_update,
    update_id_of,
)
from bot.engine import Attachment

TOKEN = "123456:TEST-standby-reading"
MARKER = "Zorblaxian"
CHAT_ID = 771234567
LIBRARIES = ["aiogram", "ptb"]


@pytest.fixture(params=LIBRARIES)
def read(request: pytest.FixtureRequest) -> Iterator[Read]:
    """The library's own `read_update`, bound to a bot as the runtime binds it."""
    if request.param == "aiogram":
        from aiogram import Bot

        yield partial(aiogram_bot.read_update, Bot(TOKEN))
    else:
        yield partial(ptb_bot.read_update, ptb_bot.RawBot(TOKEN))


def message(**changes: Any) -> dict[str, Any]:
    update_id = changes.pop("update_id", 5)
    body: dict[str, Any] = {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": CHAT_ID, "type": "private", "first_name": MARKER},
        "from": {"id": CHAT_ID, "is_bot": False, "first_name": MARKER, "language_code": "en"},
        "text": f"I am {MARKER}",
    }
    body.update(changes)
    return {"update_id": update_id, "message": {k: v for k, v in body.items() if v is not None}}


def press(update_id: int = 6, **changes: Any) -> dict[str, Any]:
    query: dict[str, Any] = {
        "id": "4242",
        "chat_instance": "77",
        "data": "n1:ok",
        "from": {"id": CHAT_ID, "is_bot": False, "first_name": MARKER},
        "message": {
            "message_id": 3,
            "date": 1_700_000_000,
            "chat": {"id": CHAT_ID, "type": "private"},
            "text": "Pick one",
        },
    }
    query.update(changes)
    return {"update_id": update_id, "callback_query": {k: v for k, v in query.items() if v}}


def skipped_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]


def test_a_message_and_a_press_are_read_alike_by_both_libraries(read: Read) -> None:
    said = read_update(message(), read)
    pressed = read_update(press(), read)

    assert said == Incoming(
        update_id=5,
        chat_id=CHAT_ID,
        private=True,
        message_id=1,
        text=f"I am {MARKER}",
        language_code="en",
    )
    assert pressed == Incoming(
        update_id=6,
        chat_id=CHAT_ID,
        private=True,
        callback_id="4242",
        callback_data="n1:ok",
        pressed_message_id=3,
    )


POISON = {
    "message without date": message(date=None, update_id=7),
    "message without chat": message(chat=None, update_id=7),
    "message without message_id": message(message_id=None, update_id=7),
    "message not an object": {"update_id": 7, "message": f"{MARKER}"},
    "message a list": {"update_id": 7, "message": [MARKER]},
    "callback_query without from": press(update_id=7, **{"from": None}),
    "callback data a number": press(update_id=7, data=12345),
    "callback id a number": press(update_id=7, id=4242),
    "chat id 2^64": message(chat={"id": 2**64, "type": "private"}, update_id=7),
    "chat id -2^63-1": message(chat={"id": -(2**63) - 1, "type": "private"}, update_id=7),
    "chat id a float": message(chat={"id": 7.5, "type": "private"}, update_id=7),
    "chat without type": message(chat={"id": CHAT_ID}, update_id=7),
    "text a number": message(text=77, update_id=7),
    "text a list": message(text=[MARKER], update_id=7),
    "date as words": message(date=f"{MARKER} day", update_id=7),
    "date beyond year 9999": message(date=10**20, update_id=7),
    "sender without id": message(**{"from": {"first_name": MARKER}}, update_id=7),
    "language a number": message(
        **{"from": {"id": 1, "is_bot": False, "first_name": MARKER, "language_code": 5}},
        update_id=7,
    ),
    "photo as text": message(photo=MARKER, update_id=7),
    "photo without sizes": message(photo=[{"file_id": 5}], update_id=7),
    "document size beyond 64 bits": message(
        document={"file_id": "a", "file_unique_id": "b", "file_size": 2**70}, update_id=7
    ),
    "entities as text": message(entities=MARKER, update_id=7),
    "reply to junk": message(reply_to_message={"junk": MARKER}, update_id=7),
    "poll of a newer Bot API": {
        "update_id": 7,
        "poll": {"id": "p", "question": f"{MARKER}?", "options": [{"text": "a"}]},
    },
}


@pytest.mark.parametrize("data", POISON.values(), ids=POISON.keys())
def test_an_update_the_library_cannot_read_is_skipped_with_one_line(
    read: Read, data: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "bot.adapters.telegram.reading"):
        assert read_update(data, read) is None

    (line,) = skipped_lines(caplog)
    assert line.startswith("update 7 skipped: it could not be read (")
    assert MARKER not in caplog.text
    assert str(CHAT_ID) not in caplog.text


ODD_IDS = {
    "no update_id": {k: v for k, v in message().items() if k != "update_id"},
    "update_id as text": message() | {"update_id": "5"},
    "update_id a float": message() | {"update_id": 5.0},
    "update_id true": message() | {"update_id": True},
    "update_id negative": message() | {"update_id": -3},
    "update_id 2^63": message() | {"update_id": 2**63},
    "update_id 2^64": message() | {"update_id": 2**64},
}


@pytest.mark.parametrize("data", ODD_IDS.values(), ids=ODD_IDS.keys())
def test_an_update_without_a_usable_id_is_skipped_by_both_libraries(
    read: Read, data: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    # aiogram would read "5" as 5 and python-telegram-bot keep it as text: neither can be
    # confirmed by an offset, nor kept by the update ledger.
    with caplog.at_level(logging.WARNING, "bot.adapters.telegram.reading"):
        assert read_update(data, read) is None
    assert skipped_lines(caplog) == ["update ? skipped: it could not be read (UnexpectedValue)"]


@pytest.mark.parametrize("data", [None, 5, MARKER, [message()], True], ids=repr)
def test_an_update_that_is_not_an_object_is_skipped(
    read: Read, data: object, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "bot.adapters.telegram.reading"):
        assert read_update(data, read) is None
    assert skipped_lines(caplog) == ["update ? skipped: it could not be read (UnexpectedValue)"]
    assert MARKER not in caplog.text


KINDS_IGNORED = {
    "unknown kind": {"update_id": 8, "hologram": {"text": MARKER}},
    "no kind at all": {"update_id": 8},
    "message null": {"update_id": 8, "message": None},
    "press without its message": press(update_id=8, message=None),
}


@pytest.mark.parametrize("data", KINDS_IGNORED.values(), ids=KINDS_IGNORED.keys())
def test_a_kind_standby_does_not_act_on_is_none_without_a_line(
    read: Read, data: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, "bot.adapters.telegram.reading"):
        assert read_update(data, read) is None
    assert skipped_lines(caplog) == []


def test_unknown_fields_and_deep_junk_beside_a_message_do_not_stop_it(read: Read) -> None:
    junk: Any = [MARKER]
    for _ in range(300):
        junk = {"deeper": [junk]}
    data = message(future_field={"x": junk}, text=MARKER * 20_000)
    data["ahead_of_the_library"] = junk

    found = read_update(data, read)

    assert found is not None
    assert found.text == MARKER * 20_000


def test_a_batch_confirms_past_every_update_and_hands_on_the_good_ones(
    read: Read, caplog: pytest.LogCaptureFixture
) -> None:
    batch = [
        message(update_id=10),
        message(update_id=11, date=None),  # poison
        "not an update",
        {"update_id": 12, "hologram": {}},
        press(update_id=13, **{"from": None}),  # poison
        press(update_id=14),
    ]
    with caplog.at_level(logging.WARNING, "bot.adapters.telegram.reading"):
        read_off = read_batch(batch, read, offset=10)

    assert [found.update_id for found in read_off.incoming] == [10, 14]
    assert read_off.offset == 15
    assert [line.split(" skipped")[0] for line in skipped_lines(caplog)] == [
        "update 11",
        "update ?",
        "update 13",
    ]


def test_a_batch_never_moves_the_offset_back_nor_past_a_forged_id(read: Read) -> None:
    assert read_batch([message(update_id=3)], read, offset=50).offset == 50
    # An id no offset can confirm: moving past it would confirm every real update to come.
    forged = [message(update_id=2**64), message(update_id=-9), message(update_id=20)]
    found = read_batch(forged, read, offset=None)
    assert found.offset == 21
    assert [update.update_id for update in found.incoming] == [20]
    assert read_batch([message(update_id=2**63 - 2)], read, None).offset == 2**63 - 1
    assert read_batch([message(update_id=2**63 - 1)], read, None).offset is None
    assert read_batch([], read, offset=7).offset == 7


def test_a_quiet_batch_skips_without_a_line(read: Read, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "bot.adapters.telegram.reading"):
        found = read_batch(["junk", message(update_id=4, date=None)], read, 5, quiet=True)
    assert found.incoming == []
    assert found.offset == 5
    assert skipped_lines(caplog) == []


def test_update_id_of_takes_only_what_an_offset_can_confirm() -> None:
    assert update_id_of({"update_id": 0}) == 0
    assert update_id_of({"update_id": 2**63 - 2}) == 2**63 - 2
    for odd in (2**63 - 1, -1, "1", 1.0, True, None):
        assert update_id_of({"update_id": odd}) is None
    assert update_id_of([1]) is None


@dataclass(frozen=True)
class _Nested:
    size: int | None


@dataclass(frozen=True)
class _Outer:
    chat_id: int
    name: str | None
    inner: _Nested | None = None


def test_checked_refuses_other_types_bools_and_numbers_beyond_64_bits() -> None:
    fine = _Outer(2**63 - 1, None, _Nested(-(2**63)))
    assert checked(fine) is fine
    for odd in (
        _Outer(True, None),
        _Outer("7", None),  # type: ignore[arg-type]
        _Outer(7.0, None),  # type: ignore[arg-type]
        _Outer(2**63, None),
        _Outer(1, 5),  # type: ignore[arg-type]
        _Outer(1, None, _Nested(2**64)),
    ):
        with pytest.raises(UnexpectedValue):
            checked(odd)


def test_checked_looks_into_an_attachment() -> None:
    update = Incoming(
        update_id=1,
        chat_id=1,
        private=True,
        attachment=Attachment("document", "file", 2**70, "text/plain"),
    )
    with pytest.raises(UnexpectedValue, match="beyond 64 bits"):
        checked(update)
