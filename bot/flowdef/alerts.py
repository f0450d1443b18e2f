"""Alert templates (`data/alerts.yaml` in the flows folder): pre-written alerts, checked.

In a crisis an admin picks a template in /broadcast and answers its `fields` (where,
which day, what time); Standby fills them in, and `{area}` with the names of the areas
it is sent to, then sends the text in each person's language. Writing the words calmly beforehand
beats writing them in a hurry. Every problem names the file, the line and the template.
A folder without the file is fine: there are then no templates to offer.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.flowdef.datafile import kind_hint, read_top, text_value
from bot.flowdef.limits import ID_RE, ID_RULE, MAX_LABEL
from bot.flowdef.messages import suggest, unknown_key
from bot.flowdef.problems import Found
from bot.flowdef.texts import NAME_RE
from bot.flowdef.yamlload import YamlList, YamlMap

ALERTS_FILE = Path("data") / "alerts.yaml"
FIELD_KINDS = ("text", "date", "time")
# Filled by Standby for each subscriber, so a template uses it without declaring it.
RESERVED_FIELDS = frozenset({"area"})
# A menu of more is too long to read on a phone.
MAX_TEMPLATES = 20
# Telegram takes 4,096 characters; this leaves room for the note Standby may add.
MAX_ALERT_TEXT = 3500
TEMPLATE_KEYS = ("id", "title", "text", "fields")
FIELD_KEYS = ("name", "ask", "kind")


@dataclass(frozen=True, slots=True)
class AlertField:
    """What the admin is asked (`ask`, in English) to fill `{name}` in, and how it is typed:
    text as written, a date such as 14/12/2026, or a time such as 14:00."""

    name: str
    ask: str
    kind: str


@dataclass(frozen=True, slots=True)
class AlertTemplate:
    """One alert: `title` for the admins' menu (English), `text` translated for people."""

    id: str
    title: str
    text: str
    fields: tuple[AlertField, ...]


class AlertTemplates:
    """The templates in file order, found by id. Raises ValueError for a repeated id."""

    def __init__(self, templates: Iterable[AlertTemplate]) -> None:
        self._templates: dict[str, AlertTemplate] = {}
        for template in templates:
            if template.id in self._templates:
                raise ValueError(f"alert template '{template.id}' is given twice")
            self._templates[template.id] = template

    def get(self, template_id: str) -> AlertTemplate | None:
        """The template with this id, or None."""
        return self._templates.get(template_id)

    def __iter__(self) -> Iterator[AlertTemplate]:
        return iter(self._templates.values())

    def __len__(self) -> int:
        return len(self._templates)

    def __contains__(self, template_id: object) -> bool:
        return template_id in self._templates


def read_alerts_text(text: str, found: Found) -> AlertTemplates:
    """Check the alert templates' text; problems go to `found`, templates that read well
    return."""
    items = read_top(text, found, "templates", "templates")
    if items is None:
        return AlertTemplates(())
    if len(items) > MAX_TEMPLATES:
        message = (
            f"there are {len(items)} templates: the /broadcast menu shows at most "
            f"{MAX_TEMPLATES}, so merge some or leave some out"
        )
        found.error(items.line_of(MAX_TEMPLATES), message, "too_many_templates")
    templates: list[AlertTemplate] = []
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, YamlMap):
            message = "each template must be a set of 'key: value' lines, starting with '- id:'"
            found.error(items.line_of(index), message, "wrong_type")
        elif (template := _Template(item, found, first).read()) is not None:
            templates.append(template)
    return AlertTemplates(templates)


class _Template:
    """One template of the file, key by key, with every problem it has."""

    def __init__(self, raw: YamlMap, found: Found, first: dict[str, int]) -> None:
        self.raw = raw
        self.found = found
        self.first = first  # template id -> line, across the file
        ident = raw.get("id")
        self.about = f"template '{ident}': " if isinstance(ident, str | int) else ""
        self.failed = False
        # Every field name written, even one refused: a placeholder using it is then not
        # also called unknown (one mistake, one message).
        self.declared: set[str] = set()

    def error(self, line: int, message: str, code: str) -> None:
        self.found.error(line, self.about + message, code)
        self.failed = True

    def read(self) -> AlertTemplate | None:
        self._check_keys(self.raw, TEMPLATE_KEYS, ("id", "title", "text"))
        ident = self._id()
        title = self._text("title")
        if len(title) > MAX_LABEL:
            length = len(title)
            message = f"'title' is too long for a button ({length} characters): at most {MAX_LABEL}"
            self.error(self.raw.line_of("title"), message, "too_long")
        fields = self._fields()
        text = self._text("text")
        if text:
            self._check_text(text, fields)
        if self.failed:
            return None
        return AlertTemplate(ident, title, text, tuple(field for field, _ in fields))

    def _check_keys(self, raw: YamlMap, allowed: tuple[str, ...], needed: Iterable[str]) -> None:
        for key in raw:
            if key not in allowed:
                self.error(raw.line_of(key), unknown_key(key, allowed), "unknown_key")
        for key in needed:
            if raw.get(key) is None:
                self.error(raw.line_of(key), f"'{key}' is required", "missing_key")

    def _id(self) -> str:
        value = self.raw.get("id")
        line = self.raw.line_of("id")
        if value is None:
            return ""
        if not (isinstance(value, str) and ID_RE.fullmatch(value)):
            self.error(line, f"'id' must be a name: {ID_RULE}", "invalid_id")
        elif value in self.first:
            message = f"the id is used twice (first on line {self.first[value]})"
            self.error(line, message, "duplicate_id")
        else:
            self.first[value] = line
        return str(value)

    def _text(self, key: str, raw: YamlMap | None = None) -> str:
        where = self.raw if raw is None else raw
        if where.get(key) is None:
            return ""  # reported as missing
        value = text_value(where, key)
        if value is None:
            self.error(where.line_of(key), f"'{key}' must be text", "wrong_type")
            return ""
        return value  # as written: the text is the translation key (msgid) too

    def _fields(self) -> list[tuple[AlertField, int]]:
        """The fields that read well, each with the line of its name."""
        value = self.raw.get("fields")
        if value is None:
            return []
        if not isinstance(value, YamlList):
            message = "'fields' must be a list of fields, each starting with '- name:'"
            self.error(self.raw.line_of("fields"), message, "wrong_type")
            return []
        fields: list[tuple[AlertField, int]] = []
        seen: dict[str, int] = {}  # field name -> line
        for index, raw in enumerate(value):
            if not isinstance(raw, YamlMap):
                message = "each field must be a set of 'key: value' lines, starting with '- name:'"
                self.error(value.line_of(index), message, "wrong_type")
            elif (field := self._field(raw, seen)) is not None:
                fields.append((field, raw.line_of("name")))
        return fields

    def _field(self, raw: YamlMap, seen: dict[str, int]) -> AlertField | None:
        self._check_keys(raw, FIELD_KEYS, FIELD_KEYS)
        name, line = raw.get("name"), raw.line_of("name")
        ask, kind = self._text("ask", raw), raw.get("kind")
        if kind is not None and kind not in FIELD_KINDS:
            message = f"field '{name}': {kind_hint(kind, FIELD_KINDS)}"
            self.error(raw.line_of("kind"), message, "unknown_kind")
        if name is None:
            return None
        self.declared.add(str(name))
        if not (isinstance(name, str) and ID_RE.fullmatch(name)):
            message = f"field '{name}': 'name' must be a name: {ID_RULE}"
            self.error(line, message, "invalid_id")
        elif name in RESERVED_FIELDS:
            message = (
                f"field '{name}' is filled in by Standby with the areas the alert is sent to: "
                f"remove the field and just write {{{name}}} in the text"
            )
            self.error(line, message, "reserved_field")
        elif name in seen:
            message = f"field '{name}' is given twice (first on line {seen[name]})"
            self.error(line, message, "duplicate_field")
        else:
            seen[name] = line
            return AlertField(name, ask, str(kind))
        return None

    def _check_text(self, text: str, fields: list[tuple[AlertField, int]]) -> None:
        line = self.raw.line_of("text")
        if len(text) > MAX_ALERT_TEXT:
            message = f"'text' is too long ({len(text)} characters): at most {MAX_ALERT_TEXT}"
            self.error(line, message, "too_long")
        try:
            parts = list(string.Formatter().parse(text))
        except ValueError as error:
            message = (
                f"the braces in 'text' don't pair up ({error}): a placeholder is a name in "
                "braces like {place}; write {{ or }} to show a brace itself"
            )
            self.error(line, message, "bad_braces")
            return
        known = self.declared | RESERVED_FIELDS
        used: set[str] = set()
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if not NAME_RE.fullmatch(name) or spec or conversion:
                shown = "{" + name + (f"!{conversion}" if conversion else "")
                shown += (f":{spec}" if spec else "") + "}"
                message = f"placeholder '{shown}' in 'text' must be a plain name like {{place}}"
                self.error(line, message, "bad_placeholder")
            elif name not in known:
                hint = suggest(name, known)
                message = (
                    f"'text' uses {{{name}}}{hint}, which is neither a field nor {{area}}: "
                    "add it under 'fields' or remove it"
                )
                self.error(line, message, "unknown_placeholder")
            used.add(name)
        for field, field_line in fields:
            if field.name not in used:
                message = (
                    f"field '{field.name}' is never used: put {{{field.name}}} in the text "
                    "or remove the field"
                )
                self.error(field_line, message, "unused_field")
