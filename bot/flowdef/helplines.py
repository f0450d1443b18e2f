"""Reading the helpline directory (`data/helplines.yaml` in the flows folder), checked.

Volunteers keep this file up to date, so every problem names the file, the line and the
helpline: `flows/data/helplines.yaml:42: helpline 'cst': 'covers' has unknown value …`.
A folder without the file is fine: there is then no directory and no helpline to offer.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.flowdef.helplines_entry import read_entry
from bot.flowdef.helplines_model import Helpline
from bot.flowdef.messages import unknown_key
from bot.flowdef.problems import Found
from bot.flowdef.yamlload import YamlList, YamlMap, load_yaml

HELPLINES_FILE = Path("data") / "helplines.yaml"
# The action that looks lines up in the directory (a service; named here for the checks).
FIND_HELPLINES = "find_helplines"
HELPLINES_SPEC = 1
_TOP_KEYS = ("spec", "helplines")


def read_helplines_text(text: str, found: Found, today: date) -> tuple[Helpline, ...]:
    """Check the directory's text; problems go to `found`, the entries that read well return.

    `today` (in London) decides which `last_checked` dates are in the future or stale.
    """
    data = load_yaml(text, found)
    if not isinstance(data, YamlMap):
        if not found.problems:
            message = "the helpline directory must start with 'spec: 1' then 'helplines:'"
            found.error(getattr(data, "line", 1), message, "wrong_type")
        return ()
    for key in data:
        if key not in _TOP_KEYS:
            found.error(data.line_of(key), unknown_key(key, _TOP_KEYS), "unknown_key")
    if not _spec_is_known(data, found):
        return ()
    raw = data.get("helplines")
    if not isinstance(raw, YamlList):
        message = "'helplines' is required: a list of entries, each starting with '- id:'"
        found.error(data.line_of("helplines"), message, "missing_key")
        return ()
    if not raw:
        found.warning(data.line_of("helplines"), "the directory lists no helplines", "empty")
    entries = [read_entry(item, raw.line_of(index), found, today) for index, item in enumerate(raw)]
    _check_unique_ids(raw, found)
    return tuple(entry for entry in entries if entry is not None)


def _spec_is_known(data: YamlMap, found: Found) -> bool:
    spec = data.get("spec")
    if spec == HELPLINES_SPEC and not isinstance(spec, bool):
        return True
    line = data.line_of("spec")
    if "spec" not in data:
        found.error(line, "'spec' is required: write 'spec: 1' at the top", "missing_key")
    elif isinstance(spec, int) and not isinstance(spec, bool) and spec > HELPLINES_SPEC:
        message = f"written for a newer version of Standby (spec {spec}): update Standby"
        found.error(line, message, "spec_too_new")
    else:
        found.error(line, f"'spec' must be {HELPLINES_SPEC}", "invalid_value")
    return False


def _check_unique_ids(raw: YamlList, found: Found) -> None:
    first: dict[str, int] = {}
    for item in raw:
        if not isinstance(item, YamlMap) or not isinstance(item.get("id"), str):
            continue
        ident, line = item["id"], item.line_of("id")
        if ident in first:
            message = f"helpline '{ident}': the id is used twice (first on line {first[ident]})"
            found.error(line, message, "duplicate_id")
        else:
            first[ident] = line
