"""Creating and updating catalogs keeps the review field Babel would drop."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po
from typer.testing import CliRunner

from bot.cli import i18n as i18n_cli
from bot.i18n.catalogs import catalog_path
from bot.i18n.headers import header_fields, review_status, with_fields
from bot.i18n.maintain import init_catalog, update_catalog

BROKEN = Path(__file__).parent / "fixtures" / "broken"
NOW = datetime(2026, 11, 21, 14, 30, tzinfo=UTC)
runner = CliRunner()


def test_update_adds_new_texts_drops_old_ones_and_keeps_the_review_field(tmp_path: Path) -> None:
    shutil.copytree(BROKEN, tmp_path, dirs_exist_ok=True)
    polish = catalog_path(tmp_path, "pl")
    polish.write_text(
        polish.read_text(encoding="utf-8").replace('"A text added since."', '"A text edited."'),
        encoding="utf-8",
    )

    update_catalog(tmp_path, "pl")

    text = polish.read_text(encoding="utf-8")
    catalog = read_po(io.StringIO(text))
    added = catalog.get("A text added since.")
    assert added is not None
    assert added.fuzzy
    assert catalog.get("A text edited.") is None
    assert "A text edited." not in text  # not even as an obsolete #~ entry
    assert header_fields(text)["X-Reviewed-By-Fluent-Speaker"] == "yes, 2026-11-20"


def test_a_catalog_without_the_field_gets_it_unreviewed(tmp_path: Path) -> None:
    shutil.copytree(BROKEN, tmp_path, dirs_exist_ok=True)

    update_catalog(tmp_path, "ar")

    assert review_status(catalog_path(tmp_path, "ar").read_text(encoding="utf-8")) is False


def test_a_new_language_starts_empty_and_unreviewed(tmp_path: Path) -> None:
    shutil.copy(BROKEN / "messages.pot", tmp_path)

    path = init_catalog(tmp_path, "so", now=NOW)

    text = path.read_text(encoding="utf-8")
    fields = header_fields(text)
    assert fields["Language"] == "so"
    assert fields["X-Reviewed-By-Fluent-Speaker"] == "no"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert text.startswith("# Standby in Somali. See docs/translating.md.\n")
    strings = [message.string for message in read_po(io.StringIO(text)) if message.id]
    assert strings == ["", "", "", "", ("", "")]


def test_english_is_its_own_translation(tmp_path: Path) -> None:
    shutil.copy(BROKEN / "messages.pot", tmp_path)

    path = init_catalog(tmp_path, "en", now=NOW)

    catalog = read_po(io.StringIO(path.read_text(encoding="utf-8")))
    hello = catalog.get("Hello.")
    photos = catalog.get("{count} photo")
    assert hello is not None
    assert hello.string == "Hello."
    assert photos is not None
    assert photos.string == ("{count} photo", "{count} photos")
    assert review_status(path.read_text(encoding="utf-8")) is True


def test_regression_english_filled_in_for_a_new_text_does_not_leak_into_the_next_language(
    tmp_path: Path,
) -> None:
    shutil.copytree(BROKEN, tmp_path, dirs_exist_ok=True)
    init_catalog(tmp_path, "en", now=NOW)
    template = tmp_path / "messages.pot"
    template.write_text(
        template.read_text(encoding="utf-8") + '\nmsgid "Brand new."\nmsgstr ""\n',
        encoding="utf-8",
    )

    for language in ("en", "pl"):
        update_catalog(tmp_path, language)

    polish = read_po(io.StringIO(catalog_path(tmp_path, "pl").read_text(encoding="utf-8")))
    new = polish.get("Brand new.")
    assert new is not None
    assert new.string == ""


def test_header_fields_are_replaced_in_place_even_when_wrapped() -> None:
    text = (
        'msgid ""\nmsgstr ""\n"Language: pl\\n"\n"X-Reviewed-By-Fluent-Speaker: yes, by '
        'someone with a very long name "\n"and a date\\n"\n"MIME-Version: 1.0\\n"\n'
    )

    updated = with_fields(text, [("X-Reviewed-By-Fluent-Speaker", "no")])

    assert header_fields(updated) == {
        "Language": "pl",
        "MIME-Version": "1.0",
        "X-Reviewed-By-Fluent-Speaker": "no",
    }


def test_the_cli_creates_updates_and_shows_the_status(tmp_path: Path) -> None:
    shutil.copytree(BROKEN, tmp_path, dirs_exist_ok=True)
    locales = ["--locales", str(tmp_path)]

    created = runner.invoke(i18n_cli.app, ["init", "tr", *locales])
    again = runner.invoke(i18n_cli.app, ["init", "tr", *locales])
    updated = runner.invoke(i18n_cli.app, ["update", *locales])
    status = runner.invoke(i18n_cli.app, ["status", *locales])

    assert created.stdout == f"created {catalog_path(tmp_path, 'tr')}\n"
    assert again.exit_code == 1
    assert updated.stdout.count("updated ") == 3
    rows = {line.split("│")[1].strip(): line for line in status.stdout.splitlines() if "│" in line}
    cells = [cell.strip() for cell in rows["ar العربية"].split("│")[2:6]]
    assert cells == ["1 / 5", "1", "0 (0%)", "no"]
    assert "5 / 5" in rows["pl Polski"]
    assert "yes" in rows["pl Polski"]
    assert "0 / 5" in rows["tr Türkçe"]
    assert "no catalog" in rows["so Soomaali"]
