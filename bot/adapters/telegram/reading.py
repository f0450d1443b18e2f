"""Raw updates into `Incoming`, one at a time, whichever library reads them.

Real Telegram adds fields and kinds of update before the libraries know them, and a
self-hosted Bot API server can differ. A library reading a whole getUpdates batch fails on
one such update, and the batch (never confirmed) comes back forever, answering no one. So
each update is read alone: one that cannot be read is skipped with one log line (its id and
the error's type, never its content) and confirmed with the rest.
"""

from __future__ import annotations

import dataclasses
import logging
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, get_type_hints

from bot.adapters.telegram.inbound import Incoming

log = logging.getLogger(__name__)
T = TypeVar("T")

# The library's reading of one update: None for kinds Standby does not act on; may raise
# anything on an update it cannot read.
Read = Callable[[dict[str, Any]], Incoming | None]

# Telegram's ids fit in a signed 64-bit integer, and so must everything the database keeps.
INT64 = range(-(2**63), 2**63)
# Update ids "start from a certain positive number and increase sequentially"; the offset
# that confirms one (its id + 1) must be a 64-bit integer too. A negative offset means
# something else altogether to getUpdates ("only the last N"), and an id beyond these is
# forged or broken: moving the offset past it would confirm, unseen, every real update
# to come (their ids are smaller), and leave the bot deaf.
UPDATE_IDS = range(2**63 - 1)


class UnexpectedValue(ValueError):
    """A value no Telegram update holds: of another type, or a number beyond 64 bits."""


@dataclass(frozen=True, slots=True)
class Batch:
    """A getUpdates answer read: what to hand on, and the offset that confirms it all."""

    incoming: list[Incoming]
    offset: int | None


def update_id_of(data: object) -> int | None:
    """The update's id, if it has a usable one: an integer, as Telegram gives, that an
    offset can confirm (neither negative nor beyond 64 bits)."""
    value = data.get("update_id") if isinstance(data, dict) else None
    return value if type(value) is int and value in UPDATE_IDS else None


def read_update(data: object, read: Read, *, quiet: bool = False) -> Incoming | None:
    """`data` as Standby's `Incoming`, or None: a kind Standby ignores, or (logged unless
    `quiet`) an update that could not be read."""
    try:
        if not isinstance(data, dict):
            raise UnexpectedValue("an update is a JSON object")
        if update_id_of(data) is None:
            # aiogram would read "5" as 5, python-telegram-bot keep it as text; either way
            # the offset could not confirm it, and the update ledger could not keep it.
            raise UnexpectedValue("an update_id is a non-negative 64-bit integer")
        found = read(data)
        return None if found is None else checked(found)
    except Exception as error:  # whatever the library raises, only this update is lost
        if quiet:
            return None
        shown = update_id_of(data)
        log.warning(
            "update %s skipped: it could not be read (%s)",
            "?" if shown is None else shown,
            type(error).__name__,
        )
        return None


def read_batch(
    updates: Sequence[object], read: Read, offset: int | None, *, quiet: bool = False
) -> Batch:
    """Each of `updates` read alone; the next offset passes every one with a usable id,
    read or not (one without can't be confirmed: the server decides when it goes). With
    `quiet`, skipped updates are not logged (they were, the first time they came)."""
    ids = [update_id for data in updates if (update_id := update_id_of(data)) is not None]
    if ids:
        offset = max(max(ids) + 1, offset or 0)  # never back: that would fetch old ones again
    incoming = [
        found for data in updates if (found := read_update(data, read, quiet=quiet)) is not None
    ]
    return Batch(incoming, offset)


def checked(value: T) -> T:
    """`value` (an `Incoming`, or a dataclass in one) if each field has its declared type
    and each number fits in 64 bits. aiogram's models check types; python-telegram-bot's
    take what they are given, and a chat id of 2^64 would only fail in the database."""
    kinds = _allowed(type(value))
    for field in dataclasses.fields(value):  # type: ignore[arg-type]
        item = getattr(value, field.name)
        allowed = kinds[field.name]
        # bool is an int to isinstance, but no id is ever true or false
        if not isinstance(item, allowed) or (type(item) is bool and bool not in allowed):
            raise UnexpectedValue(f"{field.name} is not {allowed}")
        if type(item) is int and item not in INT64:
            raise UnexpectedValue(f"{field.name} is beyond 64 bits")
        if dataclasses.is_dataclass(item):
            checked(item)
    return value


_KINDS: dict[type[Any], dict[str, tuple[type, ...]]] = {}


def _allowed(kind: type[Any]) -> dict[str, tuple[type, ...]]:
    """Each field's declared types, `int | None` as (int, NoneType); worked out once."""
    found = _KINDS.get(kind)
    if found is None:
        found = _KINDS[kind] = {
            name: hint.__args__ if isinstance(hint, types.UnionType) else (hint,)
            for name, hint in get_type_hints(kind).items()
        }
    return found
