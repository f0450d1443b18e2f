"""Actions that keep what people tell Standby small: `keep_area_private` and `privacy_facts`.

Kept apart from `actions.py` so the registry stays small; `builtin_actions` registers
these. `keep_area_private` runs in the same turn as the area question, so the full typed
text is overwritten before the session is saved. Nothing here logs what was typed.

The area is cut down by rules, not by a gazetteer, and leans towards privacy: a full
postcode becomes its outward code ("LS6 2AB" -> "LS6"), and a number that looks like a
house or flat number goes, with "Flat", "No." and the like. A town, a street name and an
outward code alone are kept as typed.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.engine import ActionResult

if TYPE_CHECKING:
    from bot.services.actions import ActionContext, ActionRegistry

log = logging.getLogger(__name__)

PRIVACY_ACTIONS = frozenset({"keep_area_private", "privacy_facts"})
# The average month, so 365 days read as 12 months and 730 as 24.
DAYS_PER_MONTH = 30.44

# A full UK postcode: the pattern the government publishes for the postcode file,
# simplified (letters anywhere, no special cases but GIR 0AA), with or without the
# space, in any case. BFPO numbers are left alone. Digits are any script's, as a phone
# keyboard set to Arabic or Urdu may type them.
_POSTCODE = re.compile(
    r"(?<![A-Za-z\d])"
    r"(?P<outward>GIR|[A-Z]{1,2}\d[A-Z\d]?)"
    r"[\s-]{0,3}"
    r"(?P<inward>\d[A-Z]{2})"
    r"(?![A-Za-z\d])",
    re.IGNORECASE,
)

# A house or flat number: 12, 12a, 12-14, 3/2, in any script's digits.
_NUMBER = r"\d+[A-Za-z]?(?:\s*[-–—/]\s*\d+[A-Za-z]?)?(?![^\W_])"
# Words that say the next number is a flat or house (English, Arabic, Urdu, Farsi);
# a flat or unit can also be a letter ("Flat B").
_FLAT = r"flat|apartment|apt\.?|maisonette|unit"
_DWELLING = _FLAT + r"|house|شقة|منزل|فلیٹ|مکان|آپارتمان|پلاک"
# Words that say the next thing is a number: "No. 7", "Number 7", "#7", "رقم 7".
_NUMBER_WORD = r"no\.?|nr\.?|number|#|رقم|نمبر|شماره"
_NOT_AFTER_A_LETTER = r"(?<![^\W\d_])"

# "Flat 3", "Apartment 12b", "House No. 7", "Unit B": the word goes with its number.
_DWELLING_NUMBER = re.compile(
    _NOT_AFTER_A_LETTER
    + rf"(?:(?:{_DWELLING})\s*[:.]?\s*(?:(?:{_NUMBER_WORD})\s*)?{_NUMBER}"
    + rf"|(?:{_FLAT})\s+[A-Za-z](?![^\W_]))",
    re.IGNORECASE,
)
# "No. 7", "number 7", "#7" wherever they are.
_NUMBERED = re.compile(
    _NOT_AFTER_A_LETTER + rf"(?:{_NUMBER_WORD})\s*{_NUMBER}",
    re.IGNORECASE,
)
# A number that starts the text or a part of it after a comma: "12 Hyde Park Road".
_LEADING_NUMBER = re.compile(
    rf"(?:^|(?<=[,،;]))\s*{_NUMBER}(?=\s|[,،;]|$)",
    re.IGNORECASE,
)
# Words that end (or, in Welsh, start) a street's name.
_STREET = (
    r"road|rd|street|st|lane|ln|avenue|ave|close|cl|drive|dr|way|court|ct|crescent|cres"
    r"|terrace|terr|place|pl|gardens|gdns|grove|gr|hill|row|walk|square|sq|mews|parade"
    r"|park|rise|view|green|vale|wharf|quay|gate|wynd|brae|loan|boulevard|circus|yard"
    r"|heol|ffordd|stryd|lôn|lon|rhodfa"
    r"|شارع|طريق|روڈ|سڑک|اسٹریٹ|سٹریٹ|گلی|خیابان|کوچه"
)
# A number anywhere that comes up to three words before a street word: "outside 12
# Hyde Park Road", "12 Heol y Frenhines", "12 شارع هايد بارك".
_NUMBER_BEFORE_STREET = re.compile(
    r"(?<!\w)" + _NUMBER + rf"(?=\s+(?:[^\W\d_][\w'’.-]*\s+){{0,3}}(?:{_STREET})\.?(?![^\W_]))",
    re.IGNORECASE,
)
# A number after a street's name, ending the text or a part of it: "Otley Road 12, Leeds".
_NUMBER_AFTER_STREET = re.compile(
    _NOT_AFTER_A_LETTER + rf"(?P<street>(?:{_STREET})\.?)\s+{_NUMBER}(?=\s*(?:[,،;]|$))",
    re.IGNORECASE,
)
# "3rd floor", "Ground floor": part of an address, not of an area.
_FLOOR = re.compile(
    _NOT_AFTER_A_LETTER
    + r"(?:\d+(?:st|nd|rd|th)|ground|first|second|third|fourth|fifth|top|basement)\s+floor"
    + r"(?![^\W_])",
    re.IGNORECASE,
)

_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_COMMA = re.compile(r"\s+([,،;])")
_COMMAS = re.compile(r"([,،;])(?:\s*[,،;])+")
_EDGES = " ,،;:-–—"


@dataclass(frozen=True, slots=True)
class KeptArea:
    """What `keep_area_private` keeps of a typed area, and whether it left anything out."""

    area: str | None
    trimmed: bool


def outward_code(postcode: str) -> str | None:
    """The outward code ("LS6") of a full postcode ("ls6 2ab"), or None if it is not one."""
    found = _POSTCODE.fullmatch(postcode.strip())
    return _ascii_digits(found["outward"]).upper() if found else None


def keep_area_private(text: str | None) -> KeptArea:
    """`text` without its full postcodes (cut to the outward code) and house and flat
    numbers; None when nothing is left."""
    if text is None:
        return KeptArea(None, trimmed=False)
    before = _tidy(text)
    after = _POSTCODE.sub(lambda found: _ascii_digits(found["outward"]).upper(), text)
    after = _DWELLING_NUMBER.sub("", after)
    after = _NUMBERED.sub("", after)
    after = _LEADING_NUMBER.sub("", after)
    after = _NUMBER_BEFORE_STREET.sub("", after)
    after = _NUMBER_AFTER_STREET.sub(r"\g<street>", after)
    after = _FLOOR.sub("", after)
    kept = _tidy(after)
    return KeptArea(kept, trimmed=kept != before)


def retention_months(days: int) -> int:
    """`days` as a whole number of months, rounded to the nearest, at least 1."""
    if days < 1:
        raise ValueError(f"reports must be kept at least a day, not {days}")
    return max(1, math.floor(days / DAYS_PER_MONTH + 0.5))


def register_privacy(registry: ActionRegistry, *, retention_days: int) -> None:
    """Register `keep_area_private` and `privacy_facts` (reports are kept `retention_days`)."""
    months = retention_months(retention_days)

    async def keep_area(context: ActionContext) -> ActionResult:
        """`text` (the typed area, None when skipped) -> `area` (what is kept, or None),
        `area_trimmed` ("yes" when something was left out, else "no") and `area_typed`
        (None, so saving it overwrites the full text)."""
        text = context.request.params.get("text")
        if text is not None and not isinstance(text, str):
            log.error("keep_area_private: text is not text")
            return ActionResult(ok=False)
        kept = keep_area_private(text)
        return ActionResult(
            values={
                "area": kept.area,
                "area_trimmed": "yes" if kept.trimmed else "no",
                "area_typed": None,
            }
        )

    async def privacy_facts(context: ActionContext) -> ActionResult:
        """-> `retention_months`: how long a finished report is kept, in whole months."""
        return ActionResult(values={"retention_months": months})

    registry.register("keep_area_private", keep_area)
    registry.register("privacy_facts", privacy_facts)


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _tidy(text: str) -> str | None:
    """Single spaces, no space before a comma, no empty parts or stray edges; None if
    no letter or digit is left."""
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE_COMMA.sub(r"\1", text)
    text = _COMMAS.sub(r"\1", text)
    text = text.strip(_EDGES)
    return text if any(c.isalnum() for c in text) else None
