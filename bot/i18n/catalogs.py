"""Translations per language, read from `locales/<lang>/LC_MESSAGES/messages.po` at start.

The `.po` files are the only catalogs in git: each is read with Babel once per process and
turned into an in-memory `.mo` for Python's gettext. A message that is missing, empty or
marked fuzzy shows the English source instead, one message at a time. Whether a fluent
speaker reviewed the catalog (its `X-Reviewed-By-Fluent-Speaker` header) is read with it,
so it is known without reading the file again.
"""

from __future__ import annotations

import gettext
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from bot.i18n.headers import review_status
from bot.i18n.languages import SOURCE_LANGUAGE

log = logging.getLogger(__name__)

DOMAIN = "messages"
TEMPLATE = f"{DOMAIN}.pot"
# A language code as folders are named: `ar`, `so`, `pt_BR`. Anything else is never a path.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")


@dataclass(frozen=True, slots=True)
class Translations:
    """One language's catalog. Whatever it lacks is shown in English.

    `reviewed` says whether its header says a fluent speaker reviewed it (always true of
    English, the language Standby is written in).
    """

    language: str
    catalog: gettext.NullTranslations
    reviewed: bool = False

    def gettext(self, message: str) -> str:
        """`message` (an English source text) in this language."""
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of `singular`/`plural` this language uses for `n` of something."""
        return self.catalog.ngettext(singular, plural, n)


def catalog_path(locales_dir: Path, language: str) -> Path:
    """Where the `.po` file for `language` lives."""
    return locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=32)
def translator_for(language: str | None, locales_dir: Path) -> Translations:
    """The translations for `language` (English when None), read once and kept."""
    code = language or SOURCE_LANGUAGE
    if not LANGUAGE_CODE.fullmatch(code):
        return Translations(SOURCE_LANGUAGE, gettext.NullTranslations(), reviewed=True)
    path = catalog_path(locales_dir, code)
    # English is what the texts are written in: there is nothing to review.
    reviewed = code == SOURCE_LANGUAGE or catalog_reviewed(path)
    return Translations(code, load_catalog(path), reviewed=reviewed)


def reviewed_languages(languages: Iterable[str], locales_dir: Path) -> frozenset[str]:
    """Those of `languages` whose catalog says a fluent speaker reviewed it (and English),
    with every catalog read now, once."""
    return frozenset(code for code in languages if translator_for(code, locales_dir).reviewed)


def catalog_reviewed(path: Path) -> bool:
    """Whether the header of the `.po` file at `path` says a fluent speaker reviewed it
    (`X-Reviewed-By-Fluent-Speaker: yes…`); False when it says no, nothing, or there is
    no readable file."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return review_status(text) is True


def load_catalog(path: Path) -> gettext.NullTranslations:
    """The usable translations in the `.po` file at `path`; none when it is missing or
    broken (logged: `standby i18n check` says exactly what is wrong)."""
    try:
        source = path.read_bytes()
    except FileNotFoundError:
        return gettext.NullTranslations()
    except OSError as error:
        log.error("catalog %s can't be read: %s", path, error.strerror or error)
        return gettext.NullTranslations()
    try:
        catalog = read_po(io.BytesIO(source), abort_invalid=True)
        return gettext.GNUTranslations(_compiled(catalog))
    except (PoFileError, ValueError, OSError, UnicodeDecodeError) as error:
        # A bad Plural-Forms expression is a ValueError in gettext; the rest are parse errors.
        log.error("catalog %s is not used, it has errors: %s", path, error)
        return gettext.NullTranslations()


def _compiled(catalog: Catalog) -> io.BytesIO:
    # Babel fills an empty plural form with the English one; a half-translated plural
    # would mix languages in one sentence, so leave the whole message in English instead.
    for message in list(catalog):
        forms = message.string
        if message.id and isinstance(forms, tuple | list) and not all(forms):
            catalog.delete(message.id, message.context)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return compiled
