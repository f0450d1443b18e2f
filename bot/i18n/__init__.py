"""Translations: catalogs per language, the language to use per person, and layout of
right-to-left text. Babel reads the catalogs; the engine never sees any of this."""

from bot.i18n.catalogs import DOMAIN, Translations, catalog_path, translator_for
from bot.i18n.languages import LANGUAGES, RIGHT_TO_LEFT, SELF_NAMES, SOURCE_LANGUAGE

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "RIGHT_TO_LEFT",
    "SELF_NAMES",
    "SOURCE_LANGUAGE",
    "Translations",
    "catalog_path",
    "translator_for",
]
