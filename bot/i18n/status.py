"""How far each language's catalog is: for `standby i18n status`.

Per language: the template's texts translated, those marked fuzzy, those a fluent speaker
marked reviewed one by one (`#, reviewed`, see `bot.i18n.reviews`), and whether the
catalog's header says the whole of it was reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from bot.i18n.catalogs import catalog_path
from bot.i18n.checks import read_catalog
from bot.i18n.headers import review_status
from bot.i18n.reviews import is_reviewed


@dataclass(frozen=True, slots=True)
class LanguageStatus:
    """One catalog: how many of the template's texts are translated, fuzzy and reviewed
    one by one (`reviewed_entries`), and whether its header says a fluent speaker reviewed
    the whole catalog (`reviewed`: None when it doesn't say, or there is no catalog)."""

    language: str
    translated: int
    total: int
    fuzzy: int
    reviewed: bool | None
    exists: bool = True
    reviewed_entries: int = 0

    @property
    def reviewed_share(self) -> float:
        """The share of the template's texts reviewed one by one, from 0 to 1."""
        return self.reviewed_entries / self.total if self.total else 0.0


def language_status(
    locales_dir: Path, languages: Iterable[str], template: Catalog | None
) -> list[LanguageStatus]:
    """The status of each of `languages`, measured against `template` when there is one."""
    return [_status(locales_dir, language, template) for language in languages]


def _status(locales_dir: Path, language: str, template: Catalog | None) -> LanguageStatus:
    path = catalog_path(locales_dir, language)
    total = sum(1 for message in template or [] if message.id)
    if not path.is_file():
        return LanguageStatus(language, 0, total, 0, None, exists=False)
    catalog, _ = read_catalog(path)
    messages = [
        message
        for message in catalog or []
        if message.id and (template is None or template.get(message.id, message.context))
    ]
    reviewed = review_status(path.read_text(encoding="utf-8", errors="replace"))
    return LanguageStatus(
        language,
        translated=sum(1 for message in messages if _translated(message)),
        total=total if template is not None else len(messages),
        fuzzy=sum(1 for message in messages if message.fuzzy),
        reviewed=reviewed,
        reviewed_entries=sum(1 for message in messages if is_reviewed(message)),
    )


def _translated(message: Message) -> bool:
    forms = message.string if isinstance(message.string, tuple | list) else [message.string]
    return not message.fuzzy and all(forms)
