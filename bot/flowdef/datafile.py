"""The top of a volunteer-kept data file (`spec: 1`, then one list), checked the same way
for every such file, so the messages read alike (`flows/data/areas.yaml:2: …`)."""

from __future__ import annotations

from bot.flowdef.messages import suggest, unknown_key
from bot.flowdef.problems import Found
from bot.flowdef.yamlload import YamlList, YamlMap, load_yaml

DATA_SPEC = 1


def read_top(text: str, found: Found, key: str, what: str) -> YamlList | None:
    """The list under `key` (a list of `what`) in `text`, or None when it can't be read.

    Checks the YAML, unknown keys at the top and `spec`; problems go to `found`. An empty
    list is a warning: the file then holds nothing, which is allowed but rarely meant.
    """
    data = load_yaml(text, found)
    if not isinstance(data, YamlMap):
        if not found.problems:  # a YAML error has already said what is wrong
            message = f"the file must start with 'spec: {DATA_SPEC}' then '{key}:'"
            found.error(getattr(data, "line", 1), message, "wrong_type")
        return None
    allowed = ("spec", key)
    for name in data:
        if name not in allowed:
            found.error(data.line_of(name), unknown_key(name, allowed), "unknown_key")
    if not _spec_is_known(data, found):
        return None
    items = data.get(key)
    if not isinstance(items, YamlList):
        message = f"'{key}' is required: a list of {what}, each starting with '- '"
        found.error(data.line_of(key), message, "missing_key")
        return None
    if not items:
        found.warning(data.line_of(key), f"the file lists no {what}", "empty")
    return items


def _spec_is_known(data: YamlMap, found: Found) -> bool:
    spec = data.get("spec")
    if spec == DATA_SPEC and not isinstance(spec, bool):
        return True
    line = data.line_of("spec")
    if "spec" not in data:
        message = f"'spec' is required: write 'spec: {DATA_SPEC}' at the top"
        found.error(line, message, "missing_key")
    elif isinstance(spec, int) and not isinstance(spec, bool) and spec > DATA_SPEC:
        message = f"written for a newer version of Standby (spec {spec}): update Standby"
        found.error(line, message, "spec_too_new")
    else:
        found.error(line, f"'spec' must be {DATA_SPEC}", "invalid_value")
    return False


def kind_hint(kind: object, kinds: tuple[str, ...]) -> str:
    """`unknown kind 'twon' (did you mean 'town'?): use nation, region, town or postcode_area`."""
    listed = ", ".join(kinds[:-1]) + f" or {kinds[-1]}"
    return f"unknown kind '{kind}'{suggest(str(kind), kinds)}: use {listed}"


def text_value(raw: YamlMap, key: str) -> str | None:
    """The value of `key` when it is text that is not blank; None otherwise."""
    value = raw.get(key)
    return value if isinstance(value, str) and value.strip() else None
