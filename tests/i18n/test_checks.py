"""`standby i18n check` on deliberately broken catalogs: each problem, where it is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from typer.testing import CliRunner

from bot.cli import i18n as i18n_cli
from bot.i18n.checks import check_catalogs
from bot.i18n.msgfmt import find_msgfmt
from bot.i18n.sources import extract_template

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = FIXTURES / "broken"
AR = f"{BROKEN}/ar/LC_MESSAGES/messages.po"
PL = f"{BROKEN}/pl/LC_MESSAGES/messages.po"
UPDATE = "run standby i18n update"

runner = CliRunner()


def test_every_kind_of_problem_is_listed_with_catalog_line_and_msgid() -> None:
    problems = check_catalogs(BROKEN, ["ar"], msgfmt=None)

    assert [str(problem) for problem in problems] == [
        f'{AR}: msgid "A text added since.": missing from this catalog: {UPDATE}',
        f"{AR}:1: header: 'X-Reviewed-By-Fluent-Speaker: no' is missing "
        "(pybabel update removes it: use standby i18n update)",
        f'{AR}:13: msgid "Hello.": not translated',
        f'{AR}:17: msgid "You are in {{area}}.": marked fuzzy: check the translation, '
        "then remove the fuzzy mark",
        f'{AR}:21: msgid "Call {{phone}} now.": placeholders differ from the English: '
        "{phone} is missing, {phon} is not in the English",
        f'{AR}:24: msgid "A text nobody uses any more.": no longer used '
        f"(it is not in messages.pot): {UPDATE}",
        f'{AR}:28: msgid "{{count}} photo": msgstr[3]: placeholders differ from the English: '
        "{cnt} is not in the English",
        f'{AR}:28: msgid "{{count}} photo": msgstr[4]: not translated',
    ]


def test_a_complete_catalog_has_no_problems_of_its_own() -> None:
    assert check_catalogs(BROKEN, ["pl"], msgfmt=None) == []


@pytest.mark.skipif(find_msgfmt() is None, reason="GNU gettext's msgfmt is not installed")
def test_what_msgfmt_rejects_is_reported_once() -> None:
    problems = check_catalogs(BROKEN, ["pl", "ar"], msgfmt=find_msgfmt())

    assert [str(problem) for problem in problems if "msgfmt" in str(problem)] == [
        f'{PL}:34: msgid "Hello.": msgfmt --check: duplicate message definition... '
        "...this is the location of the first definition (line 14)"
    ]
    # msgfmt also rejects {phon} and {cnt}: already said above, so not said twice.
    assert len(problems) == 9


def test_a_missing_catalog_and_template_are_problems(tmp_path: Path) -> None:
    problems = check_catalogs(tmp_path, ["so"], msgfmt=None)

    assert [str(problem) for problem in problems] == [
        f"{tmp_path}/messages.pot: the template is missing: run standby i18n extract",
        f"{tmp_path}/so/LC_MESSAGES/messages.po: there is no catalog for 'so': "
        "run standby i18n init so",
    ]


def test_a_file_that_is_not_a_po_file_says_where_it_stops_making_sense(tmp_path: Path) -> None:
    shutil.copytree(BROKEN, tmp_path, dirs_exist_ok=True)
    polish = tmp_path / "pl" / "LC_MESSAGES" / "messages.po"
    text = polish.read_text(encoding="utf-8")
    polish.write_text(text.replace('msgstr[2] "{count} zdjęć"', 'msgstr[3] "{count} zdjęć"'))

    problems = check_catalogs(tmp_path, ["pl"], msgfmt=None)

    assert [str(problem) for problem in problems] == [
        f"{polish}:28: this is not a valid .po file: "
        "msg has more translations than num_plurals of catalog"
    ]


def test_header_and_line_break_problems(tmp_path: Path) -> None:
    shutil.copy(BROKEN / "messages.pot", tmp_path)
    polish = tmp_path / "pl" / "LC_MESSAGES" / "messages.po"
    polish.parent.mkdir(parents=True)
    text = (BROKEN / "pl" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    text = text.replace('"Language: pl', '"Language: pt').replace("yes, 2026", "maybe, 2026")
    text = text.replace('msgid ""', '#, fuzzy\nmsgid ""', 1)
    polish.write_text(text.replace('"Dzień dobry."', '"Dzień dobry.\\n"'), encoding="utf-8")

    problems = check_catalogs(tmp_path, ["pl"], msgfmt=None)

    assert [str(problem) for problem in problems] == [
        f"{polish}:1: header: 'Language: pt' does not match the folder 'pl'",
        f"{polish}:1: header: the header is marked fuzzy, so tools ignore it: remove the mark",
        f"{polish}:1: header: 'X-Reviewed-By-Fluent-Speaker' should start with yes or no, "
        "not 'maybe, 2026-11-20'",
        f'{polish}:14: msgid "Hello.": the English and the translation do not both end with '
        "a line break",
    ]


def test_the_cli_lists_problems_then_a_count_and_fails() -> None:
    result = runner.invoke(
        i18n_cli.app,
        ["check", "--locales", str(BROKEN), "-l", "ar", "--sources", str(FIXTURES)],
    )

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[2] == f'{AR}:13: msgid "Hello.": not translated'
    assert lines[-1] in ("8 problems in 1 file", "9 problems in 1 file")  # with msgfmt, the header


def test_the_cli_passes_complete_catalogs() -> None:
    result = runner.invoke(
        i18n_cli.app,
        ["check", "--locales", str(FIXTURES / "good"), "-l", "pl", "--sources", str(FIXTURES)],
    )

    assert result.stdout.splitlines()[-1] == "1 catalog OK"
    assert result.exit_code == 0


def test_a_template_behind_the_sources_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "babel.cfg").write_text("[standby_flows: flows/*.yaml]\n", encoding="utf-8")
    (tmp_path / "flows").mkdir()
    flow = tmp_path / "flows" / "hi.yaml"
    flow.write_text("spec: 1\nflow: hi\nsteps:\n  - id: a\n    say: Hi.\n", encoding="utf-8")
    extract_template(tmp_path, tmp_path / "locales" / "messages.pot")
    flow.write_text("spec: 1\nflow: hi\nsteps:\n  - id: a\n    say: Hello.\n", encoding="utf-8")

    result = runner.invoke(
        i18n_cli.app,
        ["check", "--locales", str(tmp_path / "locales"), "-l", "pl", "--sources", str(tmp_path)],
    )

    template = tmp_path / "locales" / "messages.pot"
    assert result.stdout.splitlines()[1:3] == [
        f'{template}: msgid "Hello.": in the sources but not in the template: '
        "run standby i18n extract",
        f'{template}:22: msgid "Hi.": no longer in the sources: run standby i18n extract',
    ]


ENGLISH = "Call 0800 138 1625 or send /help."


def _problems_with(folder: Path, translated: str) -> list[str]:
    """What the check says of `translated` as the Arabic for ENGLISH (the header aside)."""
    template = Catalog(project="Standby")
    template.add(ENGLISH)
    with (folder / "messages.pot").open("wb") as file:
        write_po(file, template)
    catalog = Catalog(locale="ar", project="Standby")
    catalog.add(ENGLISH, translated)
    (folder / "ar" / "LC_MESSAGES").mkdir(parents=True)
    with (folder / "ar" / "LC_MESSAGES" / "messages.po").open("wb") as file:
        write_po(file, catalog)
    problems = check_catalogs(folder, ["ar"], msgfmt=None)
    return [problem.message for problem in problems if problem.msgid == ENGLISH]


@pytest.mark.parametrize(
    ("translated", "problem"),
    [
        ("اتصلوا بـ 0800 138 1652 أو /help.", "'1625' is missing, '1652' is not in the English"),
        ("اتصلوا بـ 0800 138 1625.", "'/help' is missing"),
        ("اكتبوا إلى talk@stophate.org أو /help: 0800 138 1625.", "'talk@stophate.org' is not"),
    ],
)
def test_a_changed_number_address_or_command_is_a_problem(
    tmp_path: Path, translated: str, problem: str
) -> None:
    found = _problems_with(tmp_path, translated)

    assert len(found) == 1
    assert "numbers, addresses or commands differ from the English" in found[0]
    assert problem in found[0]


def test_numbers_in_arabic_or_persian_digits_are_the_same_numbers(tmp_path: Path) -> None:
    assert _problems_with(tmp_path, "اتصلوا بـ ٠٨٠٠ ١٣٨ ۱۶۲۵ أو /help.") == []
