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


# The same word typed on an Arabic, Persian or Urdu keyboard: Persian/Urdu keheh and
# Arabic kaf, the yeh forms (Arabic, alef maksura, Persian/Urdu, Urdu bari ye), teh
# marbuta and heh (also Urdu's heh goal and do-chashmi heh), and the hamza forms of alef.
_LETTERS = str.maketrans(
    {
        "ک": "ك",
        "ی": "ي",
        "ى": "ي",
        "ے": "ي",
        "ئ": "ي",
        "ة": "ه",
        "ۃ": "ه",
        "ہ": "ه",
        "ھ": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ـ": "",  # tatweel, the stretching stroke
        "\u200c": "",  # zero-width non-joiner, common in Persian
        "\u200d": "",  # zero-width joiner
    }
)


def normalise_words(text: str) -> str:
    """Case, width, punctuation and spacing folded away: "Emergency!" -> "emergency".

    Also folded: combining marks (Arabic vowel signs, the dot casefold() leaves on Turkish
    "İ", Polish and Turkish letters typed without their marks: "pomóż" = "pomoz"), the
    letter forms of `_LETTERS`, and any script's digits ("٩٩٩" = "999").
    """
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    # Bengali's ঁ (candrabindu) and ় (nukta) are marks too, but they change the word: keep
    # marks outside Latin and Arabic letters as they are.
    bare = "".join(ch for ch in decomposed if not _dropped_mark(ch))
    folded = unicodedata.normalize("NFKC", bare).translate(_LETTERS)
    folded = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in folded)
    folded = folded.replace("ı", "i")  # Turkish dotless i, typed or not
    kept = "".join(ch if unicodedata.category(ch)[0] not in "PSC" else " " for ch in folded)
    return " ".join(kept.split())


def _dropped_mark(ch: str) -> bool:
    if unicodedata.category(ch) != "Mn":
        return False
    code = ord(ch)
    # Combining marks used with Latin letters, and Arabic's vowel signs and shadda.
    return 0x0300 <= code <= 0x036F or 0x064B <= code <= 0x065F or code == 0x0670


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
