"""Which language to write to a person in, and when to offer them another.

The person's own choice wins. Without one, the language their Telegram app is set to is
used when Standby speaks it, else English. When the app's language is one Standby speaks
but the person reads another, Standby offers it (once, at /start) rather than switching.
"""

from __future__ import annotations

from bot.engine.texts import N_
from bot.i18n.languages import LANGUAGES, SOURCE_LANGUAGE

# The offer is shown in the offered language, to someone whose Telegram app is in it.
# TRANSLATORS: {language} is the name of your language, in your language. Keep /language.
OFFER = N_("I can also write to you in {language}. To change, send /language.")


def telegram_language(code: str | None) -> str | None:
    """The language Standby speaks for Telegram's `language_code`, if it speaks it.

    Telegram sends IETF tags: `ar`, `ar-EG`, `fa-IR`, `pt-BR`. Only the language part counts.
    """
    if not code:
        return None
    language = code.replace("_", "-").split("-", 1)[0].strip().lower()
    return language if language in LANGUAGES else None


def negotiate(saved: str | None, telegram_code: str | None) -> str:
    """The language to write in: the saved choice, else Telegram's, else English."""
    if saved in LANGUAGES:
        return saved
    return telegram_language(telegram_code) or SOURCE_LANGUAGE


def language_to_offer(saved: str | None, telegram_code: str | None) -> str | None:
    """Telegram's language, when Standby speaks it but is writing in another.

    English is never offered: it is what everyone gets without choosing, so someone who
    chose Arabic on a phone set to English did so on purpose.
    """
    offered = telegram_language(telegram_code)
    if offered is None or offered == SOURCE_LANGUAGE:
        return None
    return offered if offered != negotiate(saved, telegram_code) else None
