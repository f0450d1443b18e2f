"""Flow format versions (`spec:`), and upgrading files written for older ones.

When the format changes, bump `CURRENT_SPEC` and add `MIGRATIONS[old] = upgrade`, a
function turning a version-`old` document into a version-`old + 1` one. Old files keep
working without volunteers rewriting them; files for a newer Standby are refused with a
clear message rather than half-understood.
"""

from collections.abc import Callable
from typing import Any

from bot.flowdef.problems import Found
from bot.flowdef.yamlload import YamlMap

CURRENT_SPEC = 1

Migration = Callable[[YamlMap], YamlMap]

# Spec 1 is the first version: nothing to upgrade from yet.
MIGRATIONS: dict[int, Migration] = {}


def read_spec(document: YamlMap, found: Found) -> int | None:
    """The spec to read the file as; None when it is for a newer Standby.

    A missing or malformed `spec:` is reported and the file read as the current spec,
    so the volunteer sees the file's other problems too.
    """
    spec: Any = document.get("spec")
    line = document.line_of("spec")
    if "spec" not in document:
        found.error(line, f"'spec' is missing: add 'spec: {CURRENT_SPEC}' at the top", "spec")
        return CURRENT_SPEC
    if not isinstance(spec, int) or isinstance(spec, bool) or spec < 1:
        found.error(line, f"'spec' must be a whole number, like 'spec: {CURRENT_SPEC}'", "spec")
        return CURRENT_SPEC
    if spec > CURRENT_SPEC:
        message = (
            f"written for a newer version of Standby (spec {spec}); "
            f"this Standby reads spec {CURRENT_SPEC}"
        )
        found.error(line, message, "spec_newer")
        return None
    return spec


def migrate(document: YamlMap, spec: int) -> YamlMap:
    """Upgrade `document` from `spec` to `CURRENT_SPEC`, one version at a time."""
    for version in range(spec, CURRENT_SPEC):
        document = MIGRATIONS[version](document)
    return document
