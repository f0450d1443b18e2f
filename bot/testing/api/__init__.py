"""The Bot API methods the emulator answers, looked up case-insensitively like Telegram."""

from __future__ import annotations

from bot.testing.api import chat, deletion, media, messages, polling
from bot.testing.api.context import Call, Described, Handler

_ALL: dict[str, Handler] = {
    **chat.HANDLERS,
    **deletion.HANDLERS,
    **media.HANDLERS,
    **messages.HANDLERS,
    **polling.HANDLERS,
}
METHODS: dict[str, tuple[str, Handler]] = {name.lower(): (name, h) for name, h in _ALL.items()}


def lookup(method: str) -> tuple[str, Handler] | None:
    """The canonical name and handler of `method` (any case), or None if unknown."""
    return METHODS.get(method.lower())


__all__ = ["METHODS", "Call", "Described", "Handler", "lookup"]
