"""The template (`locales/messages.pot`): every text people see, taken from the sources.

`extract_template` does what `pybabel extract -F babel.cfg -o locales/messages.pot
--project=Standby .` does when run at the project's root, with the YAML extractors found
even when Standby is not installed; `template_problems` says where the template and the
sources no longer agree.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import write_po

from bot.i18n.extract import extract_alerts, extract_areas, extract_flows, extract_helplines
from bot.i18n.problems import CatalogProblem

CONFIG = "babel.cfg"
PROJECT = "Standby"
EXTRACT = "run standby i18n extract"
# The entry points of pyproject.toml, for when the package is not installed.
EXTRACTORS: dict[str, Callable[..., Any]] = {
    "standby_flows": extract_flows,
    "standby_helplines": extract_helplines,
    "standby_areas": extract_areas,
    "standby_alerts": extract_alerts,
}


def source_catalog(root: Path) -> Catalog:
    """Every text the sources under `root` hold, as `root / babel.cfg` says to find them."""
    config = root / CONFIG
    with config.open(encoding="utf-8") as mapping:
        # Babel's own reader of babel.cfg (untyped): the same rules pybabel applies.
        method_map, options_map = parse_mapping_cfg(mapping, str(config))  # type: ignore[no-untyped-call]
    methods = [(pattern, EXTRACTORS.get(method, method)) for pattern, method in method_map]
    catalog = Catalog(project=PROJECT)
    for filename, line, message, comments, context in extract_from_dir(
        str(root), methods, options_map, keywords=DEFAULT_KEYWORDS
    ):
        where = [(Path(filename).as_posix(), line)]
        catalog.add(message, None, where, auto_comments=comments, context=context)
    return catalog


def extract_template(root: Path, output: Path) -> int:
    """Write the template for the sources under `root` to `output`; the number of texts."""
    catalog = source_catalog(root)
    written = io.BytesIO()
    write_po(written, catalog)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(written.getvalue())
    return len(catalog)


def template_problems(template: Catalog, template_path: Path, root: Path) -> list[CatalogProblem]:
    """Texts the sources have that the template lacks, and the other way round."""
    sources = source_catalog(root)
    path = str(template_path)
    added = [
        CatalogProblem(
            path, 0, _msgid(message), f"in the sources but not in the template: {EXTRACT}"
        )
        for message in sources
        if message.id and template.get(message.id, message.context) is None
    ]
    removed = [
        CatalogProblem(
            path, message.lineno or 0, _msgid(message), f"no longer in the sources: {EXTRACT}"
        )
        for message in template
        if message.id and sources.get(message.id, message.context) is None
    ]
    return added + removed


def _msgid(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
