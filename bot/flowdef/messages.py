"""Turning pydantic's validation errors into messages volunteers can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic_core import ErrorDetails

from bot.flowdef.yamlload import YamlList, YamlMap

_TYPES = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a set of 'key: value' lines",
    "model_type": "must be a set of 'key: value' lines",
    "model_attributes_type": "must be a set of 'key: value' lines",
}


def suggest(word: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or nothing when none is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def unknown_key(key: object, allowed: Iterable[str]) -> str:
    """`unknown key 'lable' (did you mean 'label'?)`."""
    return f"unknown key '{key}'{suggest(str(key), allowed)}"


def key_of(error: ErrorDetails) -> str:
    """The YAML key an error is about: the last name in its location."""
    for part in reversed(error["loc"]):
        if isinstance(part, str) and part != "[key]":
            return part
    return "value"


def describe(error: ErrorDetails) -> tuple[str, str]:
    """A message and problem code for any error except unknown keys (see `unknown_key`)."""
    kind = error["type"]
    key = key_of(error)
    value = error["input"]
    context: dict[str, Any] = dict(error.get("ctx") or {})
    if kind == "whole":
        return str(context["message"]), "invalid_value"
    if kind == "field":
        return f"'{key}' {context['detail']}", "invalid_value"
    if kind == "missing":
        return f"'{key}' is required", "missing_key"
    if value is None:
        return f"'{key}' has no value", "wrong_type"
    if kind in _TYPES:
        hint = ""
        if kind == "string_type" and isinstance(value, float | bool):
            hint = " (put it in quotes)"
        return f"'{key}' {_TYPES[kind]}{hint}", "wrong_type"
    return f"'{key}': {error['msg']}", "invalid_value"


def line_at(data: Any, loc: Iterable[int | str], default: int) -> int:
    """The line of the deepest part of `loc` found in `data` (read by `load_yaml`)."""
    line = default
    node = data
    for part in loc:
        in_map = isinstance(node, YamlMap) and part in node
        in_list = isinstance(node, YamlList) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_map or in_list):
            break
        line, node = node.line_of(part), node[part]
    return line
