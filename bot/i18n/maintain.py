"""Creating and updating the `.po` catalogs from the template, keeping their review field.

`pybabel init` and `pybabel update` work too, but Babel drops header fields it does not
know, such as `X-Reviewed-By-Fluent-Speaker`; these keep it. They keep each entry's
`reviewed` flag too, except on an entry that became fuzzy (`bot.i18n.reviews`). English is
the source language: its catalog holds each English text as its own translation, filled
in here.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.i18n.catalogs import TEMPLATE, catalog_path
from bot.i18n.headers import REVIEW_HEADER, extra_fields, with_fields
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.reviews import drop_outdated_reviews

NOT_REVIEWED = "no"
SOURCE_REVIEWED = "yes, English is the language Standby is written in"


def catalog_languages(locales_dir: Path) -> list[str]:
    """The languages that have a catalog under `locales_dir`, sorted."""
    return sorted(
        folder.name
        for folder in locales_dir.glob("*")
        if catalog_path(locales_dir, folder.name).is_file()
    )


def read_template(locales_dir: Path) -> Catalog:
    """The template, `locales/messages.pot` (OSError when it is missing)."""
    return read_po(io.BytesIO((locales_dir / TEMPLATE).read_bytes()), abort_invalid=True)


def init_catalog(locales_dir: Path, language: str, *, now: datetime | None = None) -> Path:
    """Create the catalog for `language` from the template; FileExistsError if it exists."""
    path = catalog_path(locales_dir, language)
    if path.exists():
        raise FileExistsError(str(path))
    template = (locales_dir / TEMPLATE).read_bytes()
    catalog = read_po(io.BytesIO(template), locale=language, abort_invalid=True)
    catalog.fuzzy = False  # the template's header is marked fuzzy; a catalog's is not
    catalog.revision_date = now or datetime.now(UTC)
    catalog.header_comment = f"# Standby in {_english_name(language)}. See docs/translating.md."
    catalog.language_team = _english_name(language)
    reviewed = NOT_REVIEWED
    if language == SOURCE_LANGUAGE:
        _copy_english(catalog)
        reviewed = SOURCE_REVIEWED
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, catalog, [(REVIEW_HEADER, reviewed)])
    return path


def update_catalog(locales_dir: Path, language: str) -> Path:
    """Bring the catalog for `language` in line with the template, as `pybabel update` does
    (changed texts become fuzzy, removed ones are dropped), keeping its X- fields and the
    reviewed flags of entries whose English did not change."""
    # Read afresh each time: Babel's update adds the template's own Message objects, so
    # filling in English ones would otherwise leak into the next language.
    template = read_template(locales_dir)
    path = catalog_path(locales_dir, language)
    text = path.read_text(encoding="utf-8")
    kept = extra_fields(text) or [(REVIEW_HEADER, NOT_REVIEWED)]
    catalog = read_po(io.StringIO(text), abort_invalid=True)
    catalog.update(template)
    # Babel carries an entry's flags over to its fuzzy match: a review of the old English
    # does not vouch for the translation of the new one.
    drop_outdated_reviews(catalog)
    if language == SOURCE_LANGUAGE:
        _copy_english(catalog)
    _write(path, catalog, kept)
    return path


def _copy_english(catalog: Catalog) -> None:
    """Each English text is its own translation, unless someone changed it on purpose."""
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy or not any(_forms(message.string)):
            message.string = message.id
            message.flags.discard("fuzzy")


def _forms(string: object) -> list[str]:
    return [str(form) for form in string] if isinstance(string, tuple | list) else [str(string)]


def _write(path: Path, catalog: Catalog, fields: list[tuple[str, str]]) -> None:
    written = io.BytesIO()
    write_po(written, catalog, ignore_obsolete=True)
    text = written.getvalue().decode(catalog.charset or "utf-8")
    path.write_text(with_fields(text, fields), encoding="utf-8")


def _english_name(language: str) -> str:
    try:
        return Locale.parse(language).english_name or language
    except (UnknownLocaleError, ValueError):
        return language
