"""`standby i18n check`: everything that keeps a catalog from being complete and correct.

For each language: the catalog exists and can be read, its header names its language and
says whether a fluent speaker reviewed it, every message of the template is in it,
translated, not fuzzy, with the same `{placeholders}` as the English, and it holds nothing
the template no longer has. What GNU `msgfmt --check` rejects is reported too, when
msgfmt is installed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po

from bot.flowdef.texts import placeholder_problems, placeholders
from bot.i18n.catalogs import TEMPLATE, catalog_path
from bot.i18n.headers import REVIEW_HEADER, header_fields, reviewed
from bot.i18n.msgfmt import msgfmt_problems, msgid_lines
from bot.i18n.problems import CatalogProblem

UPDATE = "run standby i18n update"
# In a plural message the count may be left out of a form: "one photo", not "1 photo".
COUNT = "count"


def read_catalog(path: Path) -> tuple[Catalog | None, CatalogProblem | None]:
    """The catalog at `path`, or the reason it can't be read."""
    try:
        return read_po(io.BytesIO(path.read_bytes()), abort_invalid=True), None
    except OSError as error:
        return None, CatalogProblem(str(path), 0, None, f"can't be read: {error.strerror}")
    except PoFileError as error:
        message = f"this is not a valid .po file: {str(error).rsplit(' on ', 1)[0]}"
        return None, CatalogProblem(str(path), error.lineno + 1, None, message)
    except (UnicodeDecodeError, ValueError) as error:
        return None, CatalogProblem(str(path), 0, None, f"this is not a valid .po file: {error}")


def check_catalogs(
    locales_dir: Path, languages: Iterable[str], *, msgfmt: str | None
) -> list[CatalogProblem]:
    """Every problem in the catalogs of `languages` under `locales_dir`."""
    template_path = locales_dir / TEMPLATE
    template: Catalog | None = None
    problems: list[CatalogProblem] = []
    if not template_path.is_file():
        message = "the template is missing: run standby i18n extract"
        problems.append(CatalogProblem(str(template_path), 0, None, message))
    else:
        template, unreadable = read_catalog(template_path)
        problems += [unreadable] if unreadable else []
    for language in languages:
        problems += check_catalog(catalog_path(locales_dir, language), language, template, msgfmt)
    return problems


def check_catalog(
    path: Path, language: str, template: Catalog | None, msgfmt: str | None
) -> list[CatalogProblem]:
    """Every problem in the catalog for `language` at `path`."""
    if not path.is_file():
        absent = f"there is no catalog for '{language}': run standby i18n init {language}"
        return [CatalogProblem(str(path), 0, None, absent)]
    catalog, unreadable = read_catalog(path)
    problems = [unreadable] if unreadable else []
    if catalog is not None:
        problems += _header_problems(path, language, catalog)
        for message in catalog:
            if message.id:
                problems += _message_problems(str(path), message, catalog, template)
        problems += _missing(path, catalog, template)
    if msgfmt is not None:
        entries = msgid_lines(path.read_text(encoding="utf-8", errors="replace"))
        found = msgfmt_problems(msgfmt, path, entries)
        problems += _new_to(problems, found, [1, *(line for line, _ in entries)])
    return sorted(problems, key=lambda problem: problem.line)


def _new_to(
    problems: list[CatalogProblem], msgfmt_found: list[CatalogProblem], starts: list[int]
) -> list[CatalogProblem]:
    """msgfmt's problems in entries (or the header, from line 1) that have none of ours
    yet: the same thing said twice would only be noise. `starts` are the entries' lines."""
    ours = {problem.line for problem in problems}
    return [problem for problem in msgfmt_found if _start_of(problem.line, starts) not in ours]


def _start_of(line: int, starts: list[int]) -> int:
    """The last of `starts` at or before `line` (0 when none is)."""
    before = [start for start in starts if start <= line]
    return before[-1] if before else 0


def _header_problems(path: Path, language: str, catalog: Catalog) -> list[CatalogProblem]:
    fields = header_fields(path.read_text(encoding="utf-8", errors="replace"))
    found: list[str] = []
    if str(catalog.locale_identifier or "") != language:
        found.append(
            f"'Language: {catalog.locale_identifier or ''}' does not match the folder '{language}'"
        )
    if catalog.fuzzy:
        found.append("the header is marked fuzzy, so tools ignore it: remove the mark")
    review = fields.get(REVIEW_HEADER)
    if review is None:
        found.append(
            f"'{REVIEW_HEADER}: no' is missing (pybabel update removes it: use standby i18n update)"
        )
    elif reviewed(review) is None:
        found.append(f"'{REVIEW_HEADER}' should start with yes or no, not '{review}'")
    return [CatalogProblem(str(path), 1, "", message) for message in found]


def _message_problems(
    path: str, message: Message, catalog: Catalog, template: Catalog | None
) -> list[CatalogProblem]:
    def problem(text: str) -> CatalogProblem:
        return CatalogProblem(path, message.lineno or 0, _msgid(message), text)

    if template is not None and template.get(message.id, message.context) is None:
        return [problem(f"no longer used (it is not in {TEMPLATE}): {UPDATE}")]
    if message.fuzzy:
        return [problem("marked fuzzy: check the translation, then remove the fuzzy mark")]
    forms = _forms(message)
    if not any(forms):
        return [problem("not translated")]
    found = [problem(text) for text in _form_problems(message, forms)]
    found += [problem(str(error)) for error in message.check(catalog)]
    return found


def _missing(path: Path, catalog: Catalog, template: Catalog | None) -> list[CatalogProblem]:
    if template is None:
        return []
    return [
        CatalogProblem(str(path), 0, _msgid(message), f"missing from this catalog: {UPDATE}")
        for message in template
        if message.id and catalog.get(message.id, message.context) is None
    ]


def _form_problems(message: Message, forms: list[str]) -> list[str]:
    """Each translated form: there at all, with the English placeholders and line breaks."""
    ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
    plural = len(ids) > 1
    found: list[str] = []
    for index, form in enumerate(forms):
        prefix = f"msgstr[{index}]: " if plural else ""
        if not form:
            found.append(f"{prefix}not translated")
            continue
        found += [prefix + text for text in _placeholder_problems(ids, form, plural=plural)]
        found += [prefix + text for text in _line_break_problems(ids[0], form)]
        found += [prefix + text for text in _fixed_text_problems(ids, form)]
    return found


# What a translation must carry over exactly: a wrong digit in a phone number, a web
# address or a command is worse than a missing translation. Digits in the scripts people
# type (Arabic-Indic, Persian, Bengali) count as the same digits.
_NATIVE_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹০১২৩৪৫৬৭৮৯", "0123456789" * 3)
_FIXED = re.compile(
    r"(?<![\w/])/[a-z_]+"  # a command: /exit
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # an email address
    r"|(?:https?://)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:uk|org|com|net)\b(?:/[^\s)]*)?"  # web
    r"|\d+",  # a number, in digits
    re.IGNORECASE,
)


def fixed_texts(text: str) -> set[str]:
    """The numbers, addresses and commands in `text`, which a translation keeps as they are."""
    return {token.rstrip(".,") for token in _FIXED.findall(text.translate(_NATIVE_DIGITS))}


def _fixed_text_problems(ids: list[str], form: str) -> list[str]:
    english = set().union(*(fixed_texts(text) for text in ids))
    used = fixed_texts(form)
    differences = [f"{token!r} is missing" for token in sorted(english - used)]
    differences += [f"{token!r} is not in the English" for token in sorted(used - english)]
    if not differences:
        return []
    return [f"numbers, addresses or commands differ from the English: {', '.join(differences)}"]


def _placeholder_problems(ids: list[str], form: str, *, plural: bool) -> list[str]:
    broken = placeholder_problems(form, "msgstr")
    if broken:
        return broken
    english = set().union(*(placeholders(text) for text in ids))
    used = placeholders(form)
    differences = [
        f"{{{name}}} is missing" for name in sorted(english - used - ({COUNT} if plural else set()))
    ]
    differences += [f"{{{name}}} is not in the English" for name in sorted(used - english)]
    if not differences:
        return []
    return [f"placeholders differ from the English: {', '.join(differences)}"]


def _line_break_problems(english: str, form: str) -> list[str]:
    """msgfmt refuses a translation that starts or ends with a line break when the English
    does not, or the other way round."""
    return [
        f"the English and the translation do not both {edge} with a line break"
        for edge, test in (("begin", str.startswith), ("end", str.endswith))
        if test(english, "\n") != test(form, "\n")
    ]


def _forms(message: Message) -> list[str]:
    string = message.string
    if isinstance(string, tuple | list):
        return [str(form or "") for form in string]
    return [string or ""]


def _msgid(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
