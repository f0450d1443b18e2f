"""Header fields of a .po file, including the ones Babel does not keep.

Each catalog says whether a fluent speaker has reviewed it, in a header field of its own
(`X-Reviewed-By-Fluent-Speaker: yes` or `no`, optionally followed by who and when). Poedit,
Weblate and GNU msgmerge keep such fields; Babel's reader drops every field it does not
know, so they are read and written back here, straight from the file's text.
"""

from __future__ import annotations

from babel.messages.pofile import escape, unescape

REVIEW_HEADER = "X-Reviewed-By-Fluent-Speaker"
"""`yes` or `no` (anything after the first word is a note: who reviewed it, and when)."""


def header_fields(po_text: str) -> dict[str, str]:
    """Every `Name: value` field of the header entry (the first entry, `msgid ""`)."""
    _, first, strings = _header(po_text.splitlines())
    header = "".join(unescape(string) for string in [first, *strings] if string)
    fields: dict[str, str] = {}
    for line in header.splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip():
            fields[name.strip()] = value.strip()
    return fields


def extra_fields(po_text: str) -> list[tuple[str, str]]:
    """The `X-…` fields of the header, in order: the ones Babel would lose."""
    return [(name, value) for name, value in header_fields(po_text).items() if _is_extra(name)]


def with_fields(po_text: str, fields: list[tuple[str, str]]) -> str:
    """`po_text` with `fields` set in its header (replaced if present, else added last)."""
    lines = po_text.splitlines(keepends=True)
    start, _, strings = _header([line.rstrip("\n") for line in lines])
    if start < 0:
        return po_text
    names = {name.lower() for name, _ in fields}
    kept: list[str] = []
    field: list[str] = []  # one field may be wrapped over several quoted lines
    for index, string in enumerate(strings):
        field.append(lines[start + index])
        if unescape(string).endswith("\n") or index == len(strings) - 1:
            name = unescape(field[0].strip()).partition(":")[0].strip().lower()
            kept += [] if name in names else field
            field = []
    added = [escape(f"{name}: {value}\n") + "\n" for name, value in fields]
    return "".join([*lines[:start], *kept, *added, *lines[start + len(strings) :]])


def review_status(po_text: str) -> bool | None:
    """Whether the catalog says a fluent speaker reviewed it; None when it doesn't say."""
    return reviewed(header_fields(po_text).get(REVIEW_HEADER, ""))


def reviewed(value: str) -> bool | None:
    """`yes, Amina, 2026-12-01` -> True, `no` -> False, anything else -> None."""
    first = value.replace(",", " ").split()[:1]
    return {"yes": True, "no": False}.get(first[0].lower()) if first else None


def _is_extra(name: str) -> bool:
    return name.lower().startswith("x-") and name.lower() != "x-generator"


def _header(lines: list[str]) -> tuple[int, str, list[str]]:
    """The header entry's msgstr: the index of its first continuation line, the string on
    the `msgstr` line itself, and the continuation strings, as written (quoted).

    (-1, "", []) when the file does not start with a header entry.
    """
    index = 0
    while index < len(lines) and (not lines[index].strip() or lines[index].startswith("#")):
        index += 1
    if index >= len(lines) or lines[index].strip() != 'msgid ""':
        return -1, "", []
    index += 1
    while index < len(lines) and lines[index].startswith('"'):
        index += 1  # a header's msgid is empty, but tolerate continuation lines
    if index >= len(lines) or not lines[index].startswith("msgstr "):
        return -1, "", []
    first = lines[index].removeprefix("msgstr ").strip()
    start = end = index + 1
    while end < len(lines) and lines[end].startswith('"'):
        end += 1
    return start, first, [line.strip() for line in lines[start:end]]
