"""Reading catalogs at start: translated where a translation is usable, English elsewhere."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.i18n import translator_for
from bot.i18n.catalogs import catalog_path, load_catalog

POLISH_HEADER = """\
msgid ""
msgstr ""
"Language: pl\\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && "
"(n%100<10 || n%100>=20) ? 1 : 2);\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"X-Reviewed-By-Fluent-Speaker: no\\n"
"""
POLISH = (
    POLISH_HEADER
    + """
msgid "Hello."
msgstr "Dzień dobry."

msgid "Not translated yet."
msgstr ""

#, fuzzy
msgid "Are you safe?"
msgstr "Czy jesteś cały?"

msgid "{count} photo"
msgid_plural "{count} photos"
msgstr[0] "{count} zdjęcie"
msgstr[1] "{count} zdjęcia"
msgstr[2] "{count} zdjęć"

msgid "{count} file"
msgid_plural "{count} files"
msgstr[0] "{count} plik"
msgstr[1] ""
msgstr[2] "{count} plików"
"""
)


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    path = catalog_path(tmp_path, "pl")
    path.parent.mkdir(parents=True)
    path.write_text(POLISH, encoding="utf-8")
    return tmp_path


def test_a_translated_message_is_shown_translated(locales: Path) -> None:
    polish = translator_for("pl", locales)

    assert polish.language == "pl"
    assert polish.gettext("Hello.") == "Dzień dobry."


@pytest.mark.parametrize(
    "message", ["Not translated yet.", "Are you safe?", "A text the catalog never had."]
)
def test_missing_empty_and_fuzzy_messages_fall_back_to_english_one_by_one(
    locales: Path, message: str
) -> None:
    assert translator_for("pl", locales).gettext(message) == message


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (1, "1 zdjęcie"),
        (2, "2 zdjęcia"),
        (4, "4 zdjęcia"),
        (5, "5 zdjęć"),
        (12, "12 zdjęć"),
        (22, "22 zdjęcia"),
        (25, "25 zdjęć"),
    ],
)
def test_polish_has_three_plural_forms(locales: Path, count: int, shown: str) -> None:
    form = translator_for("pl", locales).ngettext("{count} photo", "{count} photos", count)

    assert form.format(count=count) == shown


def test_a_plural_with_a_form_missing_stays_english_rather_than_mixing(locales: Path) -> None:
    polish = translator_for("pl", locales)

    assert polish.ngettext("{count} file", "{count} files", 5) == "{count} files"
    assert polish.ngettext("{count} file", "{count} files", 1) == "{count} file"


def test_english_and_languages_without_a_catalog_show_the_source(locales: Path) -> None:
    for language in (None, "en", "so", "../../etc"):
        translator = translator_for(language, locales)
        assert translator.gettext("Hello.") == "Hello."
        assert translator.ngettext("{count} photo", "{count} photos", 2) == "{count} photos"
    assert translator_for(None, locales).language == "en"
    assert translator_for("../../etc", locales).language == "en"


def test_catalogs_are_read_once_per_language(locales: Path) -> None:
    assert translator_for("pl", locales) is translator_for("pl", locales)


def test_a_broken_catalog_is_logged_and_not_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "messages.po"
    path.write_text(
        POLISH.replace("nplurals=3; plural=(n==1", "nplurals=3; plural=(n=="), encoding="utf-8"
    )

    with caplog.at_level(logging.ERROR):
        catalog = load_catalog(path)

    assert catalog.gettext("Hello.") == "Hello."
    assert f"catalog {path} is not used, it has errors" in caplog.text
