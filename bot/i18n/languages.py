"""The languages Standby speaks, how each names itself, and which are written right to left."""

from __future__ import annotations

SOURCE_LANGUAGE = "en"
"""The language flows and code are written in: every msgid is English."""

# Each language's name in that language, as the language menu shows it (a person who
# can't read the current language still finds their own).
SELF_NAMES: dict[str, str] = {
    "en": "English",
    "ar": "العربية",
    "ur": "اردو",
    "bn": "বাংলা",
    "tr": "Türkçe",
    "fa": "فارسی",
    "pl": "Polski",
    "so": "Soomaali",
}
LANGUAGES = frozenset(SELF_NAMES)
RIGHT_TO_LEFT = frozenset({"ar", "ur", "fa"})


def is_right_to_left(language: str | None) -> bool:
    """Whether `language` is written right to left (Arabic, Urdu, Farsi)."""
    return language in RIGHT_TO_LEFT
