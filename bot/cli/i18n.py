"""`standby i18n …`: the translation catalogs, for the people who translate Standby.

standby i18n extract     # the template, locales/messages.pot, from flows and code
standby i18n update      # every catalog in line with the template
standby i18n init so     # a catalog for a new language
standby i18n status      # how far each language is, and how much of it was reviewed
standby i18n check       # every problem, one per line; exit 1 if any
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.i18n.catalogs import TEMPLATE
from bot.i18n.checks import check_catalogs, read_catalog
from bot.i18n.languages import LANGUAGES, SELF_NAMES
from bot.i18n.maintain import catalog_languages, init_catalog, update_catalog
from bot.i18n.msgfmt import find_msgfmt
from bot.i18n.problems import CatalogProblem
from bot.i18n.sources import CONFIG, extract_template, template_problems
from bot.i18n.status import LanguageStatus, language_status

app = typer.Typer(help="Translations: extract, update, check.", no_args_is_help=True)

LocalesOption = Annotated[
    Path,
    typer.Option(
        "--locales", envvar="LOCALES_DIR", help="The catalogs folder (default: $LOCALES_DIR)."
    ),
]
SourcesOption = Annotated[
    Path, typer.Option("--sources", help=f"The project folder, with {CONFIG} (default: .).")
]
DEFAULT_LOCALES = Path("locales")
DEFAULT_SOURCES = Path(".")


@app.callback()
def i18n() -> None:
    """Translations: extract, update, check."""


@app.command()
def extract(
    locales: LocalesOption = DEFAULT_LOCALES, sources: SourcesOption = DEFAULT_SOURCES
) -> None:
    """Collect every text people see into the template (locales/messages.pot).

    The same as `pybabel extract -F babel.cfg -o locales/messages.pot --project=Standby .`.
    """
    _need(sources / CONFIG, "run this in Standby's folder, or give --sources")
    count = extract_template(sources, locales / TEMPLATE)
    typer.echo(f"{locales / TEMPLATE}: {count} texts")


@app.command()
def update(locales: LocalesOption = DEFAULT_LOCALES) -> None:
    """Bring every catalog in line with the template, keeping who reviewed it.

    Like `pybabel update -i locales/messages.pot -d locales --ignore-obsolete`, which would
    drop the X-Reviewed-By-Fluent-Speaker field.
    """
    _need(locales / TEMPLATE, "run standby i18n extract first")
    for language in catalog_languages(locales):
        typer.echo(f"updated {update_catalog(locales, language)}")


@app.command()
def init(
    language: Annotated[str, typer.Argument(help="The language code, e.g. so or pt_BR.")],
    locales: LocalesOption = DEFAULT_LOCALES,
) -> None:
    """Start the catalog of a new language, marked as not reviewed yet."""
    _need(locales / TEMPLATE, "run standby i18n extract first")
    try:
        typer.echo(f"created {init_catalog(locales, language)}")
    except FileExistsError as exists:
        typer.echo(f"{exists} exists already: use standby i18n update", err=True)
        raise typer.Exit(1) from None


@app.command()
def status(locales: LocalesOption = DEFAULT_LOCALES) -> None:
    """A table of every language: texts translated, fuzzy ones, texts a fluent speaker
    marked reviewed one by one, and whether the whole catalog is marked reviewed."""
    template, _ = read_catalog(locales / TEMPLATE)
    rows = language_status(locales, _languages(locales, None), template)
    Console(highlight=False).print(status_table(rows))


def status_table(rows: list[LanguageStatus]) -> Table:
    """`standby i18n status` as a rich table."""
    table = Table("Language", "Translated", "Fuzzy", "Reviewed texts", "Catalog reviewed")
    for row in rows:
        name = f"{row.language} {SELF_NAMES.get(row.language, '')}".strip()
        if not row.exists:
            table.add_row(name, "no catalog", "-", "-", "-")
            continue
        reviewed = {True: "yes", False: "no", None: "not said"}[row.reviewed]
        entries = f"{row.reviewed_entries} ({row.reviewed_share:.0%})"
        table.add_row(name, f"{row.translated} / {row.total}", str(row.fuzzy), entries, reviewed)
    return table


@app.command()
def check(
    locales: LocalesOption = DEFAULT_LOCALES,
    sources: SourcesOption = DEFAULT_SOURCES,
    languages: Annotated[
        list[str] | None,
        typer.Option("--language", "-l", help="Check only this language (may be repeated)."),
    ] = None,
) -> None:
    """List every problem in the catalogs, one per line, as `file:line: msgid "…": problem`.

    Missing translations, fuzzy entries, texts the template no longer has or the catalog
    lacks, placeholders that differ from the English, and whatever `msgfmt --check`
    rejects (when GNU gettext is installed). Exits 1 when there is any problem.
    """
    msgfmt = find_msgfmt()
    if msgfmt is None:
        typer.echo("note: msgfmt (GNU gettext) is not installed; checked without it", err=True)
    chosen = _languages(locales, languages)
    problems = check_catalogs(locales, chosen, msgfmt=msgfmt)
    problems += _template_problems(locales, sources)
    for problem in problems:
        typer.echo(str(problem))
    typer.echo(summary(problems, len(chosen)))
    raise typer.Exit(1 if problems else 0)


def summary(problems: list[CatalogProblem], catalogs: int) -> str:
    """`3 problems in 2 files`, or `8 catalogs OK`."""
    if not problems:
        return f"{_count(catalogs, 'catalog')} OK"
    files = len({problem.path for problem in problems})
    return f"{_count(len(problems), 'problem')} in {_count(files, 'file')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _template_problems(locales: Path, sources: Path) -> list[CatalogProblem]:
    """Whether the template still matches the sources (when they are here to compare)."""
    template, _ = read_catalog(locales / TEMPLATE)
    if template is None or not (sources / CONFIG).is_file():
        return []
    return template_problems(template, locales / TEMPLATE, sources)


def _languages(locales: Path, chosen: list[str] | None) -> list[str]:
    """The languages asked for; else those Standby speaks and any other with a catalog."""
    if chosen:
        return chosen
    return sorted(LANGUAGES | set(catalog_languages(locales)))


def _need(path: Path, hint: str) -> None:
    if not path.is_file():
        typer.echo(f"There is no {path}: {hint}.", err=True)
        raise typer.Exit(2)
