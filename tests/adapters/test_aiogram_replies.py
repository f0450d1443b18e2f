"""aiogram's reply models stay built between calls (rebuilding them cost a third of the CPU)."""

from __future__ import annotations

import gc
import weakref

import pytest
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage
from aiogram.methods.base import Response

from bot.adapters.aiogram_bot import GetRawUpdates  # the module holds the reply models


@pytest.mark.parametrize(
    "method", [SendMessage, EditMessageText, AnswerCallbackQuery, GetRawUpdates]
)
def test_reply_models_survive_garbage_collection(method: type[SendMessage]) -> None:
    # What aiogram's session does for every reply it parses.
    kept = weakref.ref(Response[method.__returning__])  # type: ignore[name-defined]

    gc.collect()

    assert kept() is not None
    assert kept() is Response[method.__returning__]  # type: ignore[name-defined]
