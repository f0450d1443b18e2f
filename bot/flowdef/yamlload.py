"""Reading YAML into plain data that remembers the line of every mapping, list and key.

PyYAML's own loaders forget where things were, silently keep the last of two equal keys
and turn `yes`, `no`, `on` and `off` into booleans (YAML 1.1). Volunteers need lines in
messages, a duplicated key is always a mistake, and "no" in a list of trigger words must
stay a word. So we read the parser's events (with libyaml when available, for speed) and
build the data ourselves, using YAML 1.2's core rules for plain scalars. Building from
events rather than composed nodes needs no recursion: libyaml's composer crashes the
process on very deeply nested input.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import yaml
from yaml import events
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from bot.flowdef.problems import Found

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

# Far deeper than any flow file needs; keeps hostile files cheap.
MAX_DEPTH = 32


class YamlMap(dict[Any, Any]):
    """A mapping with the line it starts on and the line of each of its keys."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """The key's line, or the mapping's own line when the key is absent."""
        return self.key_lines.get(key, self.line)


class YamlList(list[Any]):
    """A list with the line it starts on and the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        """The item's line, or the list's own line when there is no such item."""
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


# YAML 1.2 core rules for plain (unquoted) scalars, except that numbers with leading
# zeros (phone numbers) stay text, and there is no octal, hexadecimal, infinity or NaN.
_PLAIN = (
    (_BOOL, re.compile(r"true|True|TRUE|false|False|FALSE")),
    (_INT, re.compile(r"[-+]?(?:0|[1-9][0-9]*)")),
    (
        _FLOAT,
        re.compile(
            r"[-+]?(?:(?:0|[1-9][0-9]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?"
            r"|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?[eE][-+]?[0-9]+)"
        ),
    ),
    (_NULL, re.compile(r"~|null|Null|NULL|")),
)


_MAYBE_PLAIN = frozenset("tTfF-+0123456789.~nN")


def _resolve(event: events.ScalarEvent) -> str | None:
    """The tag of a scalar: its own, or one implied by how a plain scalar looks."""
    if event.tag not in (None, "!"):
        return event.tag
    value = event.value
    # Most scalars are words: skip the patterns unless the first character could start one.
    if event.tag is None and event.implicit[0] and (not value or value[0] in _MAYBE_PLAIN):
        for tag, pattern in _PLAIN:
            if pattern.fullmatch(value):
                return tag
    return _STR


class _Events(Reader, Scanner, Parser):
    """Pure-Python parsing, used only when PyYAML was built without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


try:
    from yaml._yaml import CParser as _FastEvents
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _FastEvents = None  # type: ignore[assignment, misc]


_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"


class _TooDeepError(Exception):
    """Raised with the line where nesting went past `MAX_DEPTH`."""


def load_yaml(text: str, found: Found) -> Any:
    """Parse one YAML document into dicts, lists and scalars with line numbers.

    Problems go to `found`; the result is None when the text is not YAML at all, and
    otherwise as much of the data as could be read, so later checks still run.
    """
    if _has_invisible_characters(text, found):
        return None
    parser = _Events(text) if _FastEvents is None else _FastEvents(text)
    builder = _Builder(found)
    try:
        while (event := parser.get_event()) is not None:
            builder.feed(event)
    except yaml.MarkedYAMLError as error:
        if error.problem == _LIBYAML_TOO_DEEP:  # PyYAML >= 6.0.3 stops deep nesting itself
            found.error(_line(error.problem_mark), "this is nested too deeply", "yaml_depth")
        else:
            found.error(
                _line(error.problem_mark or error.context_mark), _syntax(error), "yaml_syntax"
            )
        return None
    except _TooDeepError as error:
        found.error(int(str(error)), "this is nested too deeply", "yaml_depth")
        return None
    except yaml.YAMLError as error:  # anything else the reader refuses
        found.error(1, f"this is not valid YAML: {error}", "yaml_syntax")
        return None
    finally:
        if _FastEvents is not None and isinstance(parser, _FastEvents):
            parser.dispose()
    return builder.root


# Control characters (tab, CR and LF aside) and the Unicode line separators that YAML
# counts as line breaks: often pasted from a word processor, never wanted in a flow.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def _has_invisible_characters(text: str, found: Found) -> bool:
    bad = False
    for number, line in enumerate(text.split("\n"), start=1):
        if (hit := _INVISIBLE.search(line)) is not None:
            message = (
                f"there is an invisible character here (U+{ord(hit.group()):04X}), often "
                "pasted from a word processor: delete it"
            )
            found.error(number, message, "invisible_character")
            bad = True
    return bad


def _syntax(error: yaml.MarkedYAMLError) -> str:
    """`found unexpected end of stream (while scanning a quoted scalar, line 5)`."""
    message = f"this is not valid YAML: {error.problem}"
    if error.context and error.context_mark is not None:
        message += f" ({error.context}, line {_line(error.context_mark)})"
    return message


class _Mark(Protocol):
    line: int


def _line(mark: _Mark | None) -> int:
    return mark.line + 1 if mark is not None else 1


_NO_KEY = object()
_BAD_KEY = object()


class _Open:
    """A mapping or list being filled, and for a mapping the key waiting for its value."""

    __slots__ = ("container", "key", "key_line")

    def __init__(self, container: YamlMap | YamlList) -> None:
        self.container = container
        self.key: Any = _NO_KEY
        self.key_line = 0


class _Builder:
    def __init__(self, found: Found) -> None:
        self.found = found
        self.root: Any = None
        self.open: list[_Open] = []
        self.documents = 0

    def feed(self, event: events.Event) -> None:
        """Take the parser's next event."""
        line = _line(event.start_mark)
        if isinstance(event, events.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                message = "a flow file holds one YAML document: remove the second '---'"
                self.found.error(line, message, "yaml_syntax")
        elif isinstance(event, events.MappingStartEvent):
            self._check_tag(event.tag, _MAP, line)
            self._push(YamlMap(line), line)
        elif isinstance(event, events.SequenceStartEvent):
            self._check_tag(event.tag, _SEQ, line)
            self._push(YamlList(line), line)
        elif isinstance(event, events.MappingEndEvent | events.SequenceEndEvent):
            done = self.open.pop().container
            self._put(done, done.line)
        elif isinstance(event, events.ScalarEvent):
            self._put(self._scalar(event, line), line)
        elif isinstance(event, events.AliasEvent):
            message = "YAML anchors and aliases (& and *) are not supported: write it out in full"
            self.found.error(line, message, "yaml_alias")
            self._put(None, line)

    def _push(self, container: YamlMap | YamlList, line: int) -> None:
        if len(self.open) >= MAX_DEPTH:
            raise _TooDeepError(str(line))
        self.open.append(_Open(container))

    def _put(self, value: Any, line: int) -> None:
        if not self.open:
            if self.documents == 1:
                self.root = value
            return
        top = self.open[-1]
        if isinstance(top.container, YamlList):
            top.container.append(value)
            top.container.item_lines.append(line)
        elif top.key is _NO_KEY:
            self._take_key(top, value, line)
        else:
            self._take_value(top, top.container, value)

    def _take_key(self, top: _Open, key: Any, line: int) -> None:
        top.key_line = line
        top.key = key
        if isinstance(key, dict | list):
            self.found.error(line, "a key must be a plain word", "yaml_key")
            top.key = _BAD_KEY

    def _take_value(self, top: _Open, mapping: YamlMap, value: Any) -> None:
        key, top.key = top.key, _NO_KEY
        if key is _BAD_KEY:
            return
        if key in mapping:
            first = mapping.key_lines[key]
            message = f"key '{key}' appears twice here (first on line {first})"
            self.found.error(top.key_line, message, "duplicate_key")
            return
        mapping[key] = value
        mapping.key_lines[key] = top.key_line

    def _scalar(self, event: events.ScalarEvent, line: int) -> Any:
        value: str = event.value
        tag = _resolve(event)
        try:
            if tag == _STR:
                return value
            if tag == _INT:
                return int(value)
            if tag == _FLOAT:
                return float(value)
            if tag == _BOOL:
                return {"true": True, "false": False}[value.lower()]
            if tag == _NULL:
                return None
        except (ValueError, KeyError):
            self.found.error(line, f"'{value}' is not a valid {_short(tag)}", "yaml_tag")
            return None
        self._check_tag(tag, _STR, line)
        return value  # reported; read as text so the rest of the step is still checked

    def _check_tag(self, tag: str | None, plain: str, line: int) -> None:
        if tag in (None, "!", plain):
            return
        message = (
            f"YAML tags like '{_short(tag)}' are not supported: "
            "use plain text, numbers, true/false, lists and 'key: value' lines"
        )
        self.found.error(line, message, "yaml_tag")


def _short(tag: str | None) -> str:
    """`tag:yaml.org,2002:int` -> `!!int`, as people write it."""
    prefix = "tag:yaml.org,2002:"
    text = tag or ""
    return "!!" + text.removeprefix(prefix) if text.startswith(prefix) else text
