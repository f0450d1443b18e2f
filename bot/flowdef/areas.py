"""Reading the alert areas (`data/areas.yaml` in the flows folder), checked.

Volunteers keep this file, so every problem names the file, the line and the area:
`flows/data/areas.yaml:40: area 'rotherham': postcode 'S60' is already given to …`.
Areas are written nested, each list under `areas:` holding the areas inside the one
above it; the nesting must follow the kinds (a region sits directly in a nation, a town
in a nation or a region), and a parent holds at most `MAX_CHILDREN` areas because each
level is a Telegram menu. A folder without the file is fine: there are then no areas.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.flowdef.areas_model import AREA_KINDS, POSTCODE_RE, Area, AreaDirectory
from bot.flowdef.datafile import kind_hint, read_top, text_value
from bot.flowdef.limits import ID_RE, ID_RULE, MAX_LABEL
from bot.flowdef.messages import unknown_key
from bot.flowdef.problems import Found
from bot.flowdef.yamlload import YamlList, YamlMap

# An "All of <area>" button's value is this and the area's id, within a button value's
# 48 characters.
WHOLE_AREA = "all_of_"
MAX_AREA_ID = 48 - len(WHOLE_AREA)

# The model lives in areas_model.py; it is importable from here too.
__all__ = [
    "AREAS_FILE",
    "AREA_KINDS",
    "MAX_CHILDREN",
    "Area",
    "AreaDirectory",
    "read_areas_text",
]

AREAS_FILE = Path("data") / "areas.yaml"
# More buttons than this and a menu is too long to read on a phone.
MAX_CHILDREN = 20
KEYS = ("id", "name", "kind", "postcodes", "areas")
REQUIRED = ("id", "name", "kind")

# Where each kind may sit: None is the top of the file.
PARENT_KINDS: dict[str, tuple[str | None, ...]] = {
    "nation": (None,),
    "region": ("nation",),
    "town": ("nation", "region"),
    "postcode_area": ("nation", "region", "town"),
}
_RULES = {
    "nation": "nations go at the top of the list",
    "region": "a region goes directly inside a nation",
    "town": "a town goes inside a nation or a region",
    "postcode_area": "a postcode area goes inside a nation, a region or a town",
}


def read_areas_text(text: str, found: Found) -> AreaDirectory:
    """Check the areas file's text; problems go to `found`.

    The directory holds the areas that read well; an area with an error is left out
    with everything inside it, so the tree stays whole.
    """
    items = read_top(text, found, "areas", "areas")
    if items is None:
        return AreaDirectory(())
    reader = _Reader(found)
    reader.read_list(items, None)
    return AreaDirectory(reader.areas)


@dataclass(frozen=True, slots=True)
class _Parent:
    """What the areas inside one need to know of it."""

    id: str
    kind: str | None  # None when its own kind is wrong: its children's place is unknown
    usable: bool  # it and every area above it read without errors


class _Reader:
    def __init__(self, found: Found) -> None:
        self.found = found
        self.areas: list[Area] = []
        self.ids: dict[str, tuple[int, str]] = {}  # id -> line and name where first used
        self.postcodes: dict[str, tuple[int, str]] = {}  # postcode -> line and area id

    def read_list(self, items: YamlList, parent: _Parent | None) -> None:
        if len(items) > MAX_CHILDREN:
            where = "at the top" if parent is None else f"inside '{parent.id}'"
            message = (
                f"there are {len(items)} areas {where}: a menu shows at most {MAX_CHILDREN}, "
                "so group some of them or leave some out"
            )
            # At the first one too many: the place to start moving areas from.
            self.found.error(items.line_of(MAX_CHILDREN), message, "too_many_areas")
        for index, item in enumerate(items):
            if isinstance(item, YamlMap):
                _Area(self, item, parent).read()
            else:
                message = "each area must be a set of 'key: value' lines, starting with '- id:'"
                self.found.error(items.line_of(index), message, "wrong_type")


class _Area:
    """One area of the file, key by key, with every problem it has."""

    def __init__(self, reader: _Reader, raw: YamlMap, parent: _Parent | None) -> None:
        self.reader = reader
        self.raw = raw
        self.parent = parent
        ident = raw.get("id")
        self.about = f"area '{ident}': " if isinstance(ident, str | int) else ""
        self.failed = False

    def error(self, key: str, message: str, code: str, line: int | None = None) -> None:
        self.reader.found.error(line or self.raw.line_of(key), self.about + message, code)
        self.failed = True

    def read(self) -> None:
        for key in self.raw:
            if key not in KEYS:
                self.error(str(key), unknown_key(key, KEYS), "unknown_key")
        for key in REQUIRED:
            if self.raw.get(key) is None:
                self.error(key, f"'{key}' is required", "missing_key")
        ident, name, kind = self._id(), self._name(), self._kind()
        postcodes = self._postcodes(ident)
        self._check_place(kind)
        inside = self._inside()
        usable = not self.failed and (self.parent is None or self.parent.usable)
        if usable:
            parent = None if self.parent is None else self.parent.id
            self.reader.areas.append(Area(ident, name, kind or "", parent, postcodes))
        if inside:
            self.reader.read_list(inside, _Parent(ident, kind, usable))

    def _inside(self) -> YamlList | None:
        value = self.raw.get("areas")
        if value is None:
            return None
        if not isinstance(value, YamlList):
            message = "'areas' must be a list of the areas inside this one, each starting '- id:'"
            self.error("areas", message, "wrong_type")
            return None
        if not value:
            self.error("areas", "'areas' is empty: leave it out or list something", "empty")
        return value

    def _id(self) -> str:
        value = self.raw.get("id")
        if value is None:
            return ""
        line = self.raw.line_of("id")
        if not (isinstance(value, str) and ID_RE.fullmatch(value)):
            self.error("id", f"'id' must be a name: {ID_RULE}", "invalid_id")
        elif value.startswith(WHOLE_AREA) or len(value) > MAX_AREA_ID:
            message = (
                f"an area id has at most {MAX_AREA_ID} characters and does not start with "
                f"'{WHOLE_AREA}' (Standby makes the \"All of …\" buttons from it that way)"
            )
            self.error("id", message, "invalid_id")
        elif value in self.reader.ids:
            first, name = self.reader.ids[value]
            message = f"the id is used twice (first on line {first}, for {name})"
            self.error("id", message, "duplicate_id")
        else:
            self.reader.ids[value] = (line, text_value(self.raw, "name") or value)
        return str(value)

    def _name(self) -> str:
        value = self.raw.get("name")
        if value is None:
            return ""
        name = text_value(self.raw, "name")
        if name is None:
            self.error("name", "'name' must be text", "wrong_type")
            return ""
        if "{" in name or "}" in name:
            self.error("name", "'name' can't hold '{' or '}'", "invalid_value")
        if len(name) > MAX_LABEL:
            length = len(name)
            message = f"'name' is too long for a button ({length} characters): at most {MAX_LABEL}"
            self.error("name", message, "too_long")
        return name  # as written: it is the translation key (msgid) too

    def _kind(self) -> str | None:
        value = self.raw.get("kind")
        if value is None:
            return None
        if value not in AREA_KINDS:
            self.error("kind", kind_hint(value, AREA_KINDS), "unknown_kind")
            return None
        return str(value)

    def _check_place(self, kind: str | None) -> None:
        if kind is None or (self.parent is not None and self.parent.kind is None):
            return  # a kind is wrong: that error says enough
        above = None if self.parent is None else self.parent.kind
        if above in PARENT_KINDS[kind]:
            return
        where = "at the top" if self.parent is None else f"inside {above} '{self.parent.id}'"
        message = f"a {kind} can't go {where}: {_RULES[kind]}"
        self.error("kind", message, "wrong_nesting")

    def _postcodes(self, ident: str) -> tuple[str, ...]:
        value: Any = self.raw.get("postcodes")
        if value is None:
            return ()
        if isinstance(value, YamlList):
            items = [(item, value.line_of(index)) for index, item in enumerate(value)]
        elif isinstance(value, str):
            items = [(value, self.raw.line_of("postcodes"))]  # `postcodes: BT` is fine too
        else:
            self.error("postcodes", "'postcodes' must be a list, like [S60, S61]", "wrong_type")
            return ()
        found: list[str] = []
        for item, line in items:
            if not (isinstance(item, str) and POSTCODE_RE.fullmatch(item)):
                message = (
                    f"'{item}' in 'postcodes' is not a postcode area or district: write it "
                    "in capitals, like S or S60"
                )
                self.error("postcodes", message, "invalid_postcode", line)
            elif item in self.reader.postcodes:
                first, owner = self.reader.postcodes[item]
                message = f"postcode '{item}' is already given to '{owner}' on line {first}"
                self.error("postcodes", message, "duplicate_postcode", line)
            else:
                self.reader.postcodes[item] = (line, ident)
                found.append(item)
        return tuple(found)
