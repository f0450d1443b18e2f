"""Callback data for buttons: fits Telegram's 64 bytes, and can't be forged or reused
across chats.

`<step key>:<value>:<signature>`: the step key is 8 characters standing for the flow and
step (looked up in the flows in use), the value is the choice's value (at most 48 ASCII
characters, a limit the flow checker enforces) and the signature is an HMAC over the chat
and both, so data a client makes up, or copies from another chat, is recognised as stale.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

from bot.engine import Button, Flows, Input
from bot.engine.answers import EXIT

MAX_BYTES = 64
KEY_LENGTH = 8
SIGNATURE_LENGTH = 6
# Pressed when data is stale or forged: no real step has this id, so the engine says
# "that button has expired" and shows the current question again.
STALE = Input.press("~stale", "~stale", "~stale")


def _short(digest: bytes, length: int) -> str:
    return base64.urlsafe_b64encode(digest).decode()[:length]


def step_key(flow: str, step: str) -> str:
    return _short(hashlib.sha256(f"{flow}/{step}".encode()).digest(), KEY_LENGTH)


def _steps_by_key(flows: Flows) -> Mapping[str, tuple[str, str]]:
    return {
        step_key(flow.id, step): (flow.id, step)
        for flow in flows.by_id.values()
        for step in flow.steps
    }


class CallbackCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        # Step keys of the flows last seen; rebuilt when the flows are reloaded.
        self._index: tuple[Flows, Mapping[str, tuple[str, str]]] | None = None

    def encode(self, chat_id: int, button: Button) -> str:
        key = step_key(button.flow, button.step)
        data = f"{key}:{button.value}:{self._sign(chat_id, key, button.value)}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes for step '{button.step}'")
        return data

    def decode(self, chat_id: int, data: str, flows: Flows) -> Input:
        """The press `data` stands for, or `STALE` when it is not ours or not current."""
        key, _, rest = data.partition(":")
        value, _, signature = rest.rpartition(":")
        expected = self._sign(chat_id, key, value).encode()
        if not value or not hmac.compare_digest(signature.encode(), expected):
            return STALE
        if self._index is None or self._index[0] is not flows:
            self._index = (flows, _steps_by_key(flows))
        found = self._index[1].get(key)
        if found is None:
            # Leave now works from any message we sent, even one whose step a reload
            # removed: leaving must never meet "that button has expired".
            return Input.press(key, EXIT) if value == EXIT else STALE
        flow, step = found
        return Input.press(step, value, flow)

    def _sign(self, chat_id: int, key: str, value: str) -> str:
        return signature(self._secret, f"{chat_id}:{key}:{value}")


def signature(secret: bytes, message: str) -> str:
    """A short HMAC of `message`: what every kind of button's data is signed with (each
    kind puts its own prefix in `message`, so one kind's data never passes for another's)."""
    return _short(hmac.new(secret, message.encode(), hashlib.sha256).digest(), SIGNATURE_LENGTH)
