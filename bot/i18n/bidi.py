"""Keeping numbers, postcodes, times and links the right way round in right-to-left text.

In Arabic, Urdu or Farsi text a phone number such as `0800 138 1625` would show its groups
in reverse order (`1625 138 0800`), and a link or a time range breaks up the same way.
Wrapping each in Unicode isolates (LEFT-TO-RIGHT ISOLATE … POP DIRECTIONAL ISOLATE) lays
it out left to right as one unit, whatever surrounds it. A line that starts with a Latin
word (`Standby …`) but is written in a right-to-left script gets a RIGHT-TO-LEFT MARK
first, so apps that guess a paragraph's direction from its first letter guess right.
"""

from __future__ import annotations

import re
import unicodedata

LRI = "\u2066"  # LEFT-TO-RIGHT ISOLATE
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE
RLM = "\u200f"  # RIGHT-TO-LEFT MARK

# Text that must read left to right. ASCII digits only: `\d` would take Arabic-Indic digits,
# which lay themselves out. Nothing here spans a line break; splitting a long message never
# cuts inside an isolate either (bot/adapters/telegram/text.py).
_NOT_LAST = r"[^\s<>\"'.,;:!?()\[\]،؛۔]"  # a link does not end with punctuation
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_URL = rf"(?:https?://|www\.)[^\s<>\"]*{_NOT_LAST}"
# A bare address such as stophateuk.org/report, for the endings UK services use.
_DOMAIN = (
    r"(?<![A-Za-z0-9@.-])(?:[A-Za-z0-9-]+\.)+(?:uk|org|com|net|info|io)"
    rf"(?:/[^\s<>\"]*{_NOT_LAST})?(?![A-Za-z0-9])"
)
_TIME = r"[0-9]{1,2}(?:[:.][0-9]{2}(?: ?[ap]\.?m\.?)?|(?: ?[ap]\.?m\.?))(?![A-Za-z0-9])"
_TIMES = rf"(?<![0-9]){_TIME}(?: ?[-–] ?{_TIME})?"
# Phone numbers: digit groups joined by spaces or hyphens, perhaps with +44 or (020); or
# one run of three or more digits (999, 18000) that is not part of a date like 21/11/2026.
_PHONE = (
    r"(?<![0-9])\+?\(?[0-9]+\)?(?:(?:[ \u00a0-]|(?<=\)))\(?[0-9]+\)?)+(?![0-9])|\+[0-9]{6,}"
    r"|(?<![0-9/.,:])[0-9]{3,}(?![0-9]|[/.,:][0-9])"
)
_POSTCODE = r"(?<![A-Za-z0-9])[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}(?![A-Za-z0-9])"
LEFT_TO_RIGHT = re.compile("|".join((_EMAIL, _URL, _DOMAIN, _TIMES, _PHONE, _POSTCODE)))


def isolate_left_to_right(text: str) -> str:
    """`text` with every phone number, postcode, time, link and email address isolated."""

    def wrap(match: re.Match[str]) -> str:
        start, end = match.span()
        if text[start - 1 : start] == LRI and text[end : end + 1] == PDI:
            return match.group()  # isolated already
        return f"{LRI}{match.group()}{PDI}"

    return LEFT_TO_RIGHT.sub(wrap, text)


def mark_right_to_left_lines(text: str) -> str:
    """Start with a RIGHT-TO-LEFT MARK each line that is mostly in a right-to-left script
    but begins with a left-to-right letter. Lines in English (a message not translated
    yet) are left as they are."""
    return "\n".join(_marked(line) for line in text.split("\n"))


def for_right_to_left(text: str) -> str:
    """`text` ready to show among right-to-left text: isolated, and lines marked."""
    return mark_right_to_left_lines(isolate_left_to_right(text))


def _marked(line: str) -> str:
    directions = [unicodedata.bidirectional(char) for char in line]
    strong = [direction for direction in directions if direction in ("L", "R", "AL")]
    if not strong or strong[0] != "L":
        return line
    right_to_left = sum(direction != "L" for direction in strong)
    return RLM + line if right_to_left * 2 > len(strong) else line
