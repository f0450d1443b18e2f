"""The helpline directory's entries, and the fixed words its files may use.

The vocabularies are closed on purpose: the routing matches `covers` values exactly, so a
new word must be added here (and to docs/flows.md) before any file can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.flowdef.helplines_hours import OpeningHours

# What a line helps with. `any_hate` lines are offered whatever the hate was about;
# `emergency`, `police_report`, `crime_victims` and `emotional_support` lines are
# offered to everyone; the rest only when the person's answer names them.
COVERS: dict[str, str] = {
    "any_hate": "every kind of hate",
    "race": "racism",
    "religion": "hate because of religion or belief",
    "antisemitism": "hate against Jewish people",
    "anti_muslim": "hate against Muslims, or people seen as Muslim",
    "disability": "hate because of disability",
    "sexual_orientation": "hate because of sexual orientation",
    "transgender": "hate against trans people",
    "emergency": "danger right now",
    "police_report": "reporting to the police",
    "anonymous_reporting": "telling the police something without giving your name",
    "crime_victims": "support for victims of crime",
    "emotional_support": "someone to talk to",
    "discrimination": "unfair treatment under the Equality Act (not crime)",
    "advice": "general advice",
    "asylum": "people seeking asylum",
    "protest_legal": "legal help and rights at protests",
    "far_right": "the far right",
    "online_abuse": "abuse online",
    "digital_security": "staying safe online",
    # What someone reporting may ask for ("What kind of help would you like?").
    "safety_advice": "advice on staying safe",
    "rights_advice": "advice about your rights",
}

NATIONS: dict[str, str] = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}

Confidence = Literal["H", "M", "U"]
CONFIDENCE: tuple[Confidence, ...] = ("H", "M", "U")


@dataclass(frozen=True, slots=True)
class Helpline:
    """One line of the directory as checked: texts in English, ready for translation.

    `phone`, `text` and `textphone` hold numbers as the volunteer wrote them (the checker
    has made sure each is a UK number). `bsl` says British Sign Language is offered;
    `bsl_web` is where, when known.
    """

    id: str
    name: str
    description: str
    covers: frozenset[str]
    nations: frozenset[str]
    hours: OpeningHours
    confidence: Confidence
    source: str
    last_checked: date
    phone: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    textphone: tuple[str, ...] = ()
    web: str | None = None
    email: str | None = None
    bsl: bool = False
    bsl_web: str | None = None
    languages: tuple[str, ...] = ()
    note: str | None = None

    @property
    def everywhere(self) -> bool:
        """Whether it serves all four nations of the UK."""
        return self.nations >= NATIONS.keys()
