"""Matching a message against the global triggers of all flows."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.engine.model import Flows


@dataclass(frozen=True, slots=True)
class TriggerMatch:
    flow: str
    returns: bool


def normalise_words(text: str) -> str:
    """Case, width, punctuation and spacing folded away: "Emergency!" -> "emergency"."""
    # casefold() turns Turkish "İ" into "i" plus a combining dot: drop the dot, so "İMDAT"
    # matches "imdat".
    folded = unicodedata.normalize("NFKC", text).casefold().replace("\u0307", "")
    kept = "".join(ch if unicodedata.category(ch)[0] not in "PSC" else " " for ch in folded)
    return " ".join(kept.split())


# A Telegram bot command: "/", 1 to 32 latin letters, digits or "_", maybe "@botname",
# then the end or a space. "1/2", "/ about 3pm" or "/😀" are things people type, not
# commands, and must stay answers.
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?=\s|\Z)")


def command_of(text: str) -> str | None:
    """`/Start@StandbyBot payload` -> `/start`; None when the text is not a command."""
    found = _COMMAND.match(text.strip())
    return None if found is None else "/" + found[1].casefold()


def match_trigger(flows: Flows, text: str | None) -> TriggerMatch | None:
    """The flow a message jumps to, if it is a command or a whole trigger phrase."""
    if not text:
        return None
    command = command_of(text)
    words = None if command else normalise_words(text)
    for flow in flows.by_id.values():
        trigger = flow.trigger
        if trigger is None:
            continue
        if command is not None and command in trigger.commands:
            return TriggerMatch(flow.id, trigger.returns)
        if words and any(words == normalise_words(word) for word in trigger.words):
            return TriggerMatch(flow.id, trigger.returns)
    return None
