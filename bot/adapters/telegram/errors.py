"""What went wrong talking to Telegram, whichever library was talking."""

from __future__ import annotations


class TelegramError(Exception):
    """Base of the domain errors each adapter maps its library's exceptions to."""


class RetryAfter(TelegramError):
    """429: slow down and try again after `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood control: retry after {seconds} s")
        self.seconds = seconds


class Blocked(TelegramError):
    """403: the person blocked the bot or deleted their account; stop writing to them."""


class Transient(TelegramError):
    """5xx, a timeout or a network failure: worth trying again shortly."""


class Rejected(TelegramError):
    """400 and other refusals: trying again would not help."""


class Unreadable(TelegramError):
    """A reply the library could not read (a field missing or of another type): the server
    speaks another Bot API version, or is no Bot API server. Not retried: the call itself
    may have been carried out."""
