"""Reviews: single entries marked `#, reviewed`, and the catalog's own review header."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from bot.cli import i18n as i18n_cli
from bot.i18n import translator_for
from bot.i18n.catalogs import catalog_path, reviewed_languages
from bot.i18n.checks import check_catalogs
from bot.i18n.maintain import update_catalog
from bot.i18n.msgfmt import find_msgfmt
from bot.i18n.status import language_status

GOOD = Path(__file__).parent / "fixtures" / "good"
runner = CliRunner()

POLISH = """\
msgid ""
msgstr ""
"Project-Id-Version: Standby VERSION\\n"
"Language: pl\\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && "
"(n%100<10 || n%100>=20) ? 1 : 2);\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"X-Reviewed-By-Fluent-Speaker: no\\n"

#, reviewed
msgid "Hello."
msgstr "Dzień dobry."

#, python-brace-format, reviewed
msgid "You are in {area}."
msgstr "Jesteś w: {area}."

#, python-brace-format
msgid "Call {phone} now."
msgstr "Zadzwoń teraz pod {phone}."

msgid "A text added since."
msgstr "Tekst dodany później."

#, python-brace-format, reviewed
msgid "{count} photo"
msgid_plural "{count} photos"
msgstr[0] "{count} zdjęcie"
msgstr[1] "{count} zdjęcia"
msgstr[2] "{count} zdjęć"
"""


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    """The good fixture's template, with a Polish catalog of which three texts are reviewed."""
    shutil.copy(GOOD / "messages.pot", tmp_path)
    path = catalog_path(tmp_path, "pl")
    path.parent.mkdir(parents=True)
    path.write_text(POLISH, encoding="utf-8")
    return tmp_path


def flags(locales: Path, msgid: str) -> set[str]:
    catalog = read_po(io.StringIO(catalog_path(locales, "pl").read_text(encoding="utf-8")))
    message = catalog.get(msgid)
    assert message is not None, msgid
    return set(message.flags)


def test_update_keeps_reviews_of_unchanged_texts_and_drops_those_of_changed_ones(
    locales: Path,
) -> None:
    template = locales / "messages.pot"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("You are in {area}.", "You are now in {area}."), "utf-8")

    update_catalog(locales, "pl")

    assert "reviewed" in flags(locales, "Hello.")
    assert "reviewed" in flags(locales, "{count} photo")
    changed = flags(locales, "You are now in {area}.")
    assert "fuzzy" in changed, "the old translation is kept, to be checked"
    assert "reviewed" not in changed, "the review was of the old English"
    written = catalog_path(locales, "pl").read_text(encoding="utf-8")
    assert '#, reviewed\nmsgid "Hello."' in written
    assert "X-Reviewed-By-Fluent-Speaker: no" in written


def test_check_finds_nothing_wrong_with_reviewed_entries(locales: Path) -> None:
    assert check_catalogs(locales, ["pl"], msgfmt=find_msgfmt()) == []


def test_status_counts_the_reviewed_texts_that_still_count(locales: Path) -> None:
    path = catalog_path(locales, "pl")
    # A reviewed text later marked fuzzy is not shown, so its review does not count.
    path.write_text(
        path.read_text(encoding="utf-8").replace("#, reviewed\n", "#, fuzzy, reviewed\n"),
        encoding="utf-8",
    )
    template = read_po(io.StringIO((locales / "messages.pot").read_text(encoding="utf-8")))

    (polish,) = language_status(locales, ["pl"], template)

    assert (polish.translated, polish.total, polish.fuzzy) == (4, 5, 1)
    assert polish.reviewed_entries == 2
    assert polish.reviewed_share == pytest.approx(0.4)
    assert polish.reviewed is False


def test_the_status_table_shows_reviewed_texts_and_the_catalog_review(locales: Path) -> None:
    shown = runner.invoke(i18n_cli.app, ["status", "--locales", str(locales)])

    assert shown.exit_code == 0
    header = next(line for line in shown.stdout.splitlines() if "Language" in line)
    assert "Reviewed texts" in header
    assert "Catalog reviewed" in header
    polish = next(line for line in shown.stdout.splitlines() if "pl Polski" in line)
    cells = [cell.strip() for cell in polish.split("│")[1:-1]]
    assert cells == ["pl Polski", "5 / 5", "0", "3 (60%)", "no"]


def test_whether_a_catalog_was_reviewed_is_read_with_it(locales: Path) -> None:
    shutil.copytree(GOOD / "pl", locales / "tr")  # its header says yes
    path = catalog_path(locales, "tr")
    path.write_text(path.read_text(encoding="utf-8").replace("Language: pl", "Language: tr"))

    assert translator_for("pl", locales).reviewed is False
    assert translator_for("tr", locales).reviewed is True
    assert translator_for("en", locales).reviewed is True, "English has nothing to review"
    assert translator_for("so", locales).reviewed is False, "no catalog: nobody reviewed it"
    assert reviewed_languages(["en", "pl", "tr", "so"], locales) == {"en", "tr"}
