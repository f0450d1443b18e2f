"""Compiled gettext catalogs (`locales/<lang>/LC_MESSAGES/messages.mo`), cached per language.

A language without a catalog, or a message missing from one, shows the English source.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

DOMAIN = "messages"


@lru_cache(maxsize=32)
def translator_for(language: str | None, locales_dir: Path) -> gettext.NullTranslations:
    if not language or language == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, str(locales_dir), languages=[language], fallback=True)
