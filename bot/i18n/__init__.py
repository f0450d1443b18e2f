"""Translations: catalogs per language, chosen per person."""

from bot.i18n.catalogs import DOMAIN, translator_for

__all__ = ["DOMAIN", "translator_for"]
