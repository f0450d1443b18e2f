"""Reading one entry of the helpline directory, key by key, with every problem it has."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from datetime import date, timedelta
from typing import Any

from bot.flowdef.helplines_hours import (
    UNKNOWN_HOURS,
    HoursKind,
    OpeningHours,
    OpenRange,
    parse_days,
    parse_times,
)
from bot.flowdef.helplines_model import CONFIDENCE, COVERS, NATIONS, Confidence, Helpline
from bot.flowdef.helplines_phones import phone_problem
from bot.flowdef.limits import ID_RE, ID_RULE
from bot.flowdef.messages import suggest, unknown_key
from bot.flowdef.problems import Found
from bot.flowdef.yamlload import YamlList, YamlMap

REQUIRED: tuple[str, ...] = ("id", "name", "description", "covers", "nations", "confidence")
REQUIRED += ("source", "last_checked")
OPTIONAL: tuple[str, ...] = ("phone", "text", "textphone", "web", "email", "bsl", "languages")
OPTIONAL += ("hours", "closed_on", "note")
CONTACTS = ("phone", "text", "textphone", "web", "email")

# Facts age: six months after a volunteer last checked an entry, the checker reminds them.
STALE_AFTER = timedelta(days=183)
# Longer than this is no longer "one short plain sentence" in a chat message.
LONG_DESCRIPTION = 200
LONG_NOTE = 300

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEB = re.compile(r"https://[^\s/]+\.[^\s/]+(/\S*)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LANGUAGE = re.compile(r"[a-z]{2,3}")


def _hint(word: str, vocabulary: Collection[str]) -> str:
    """` (did you mean 'northern_ireland'?)` for `ireland`, or the known values."""
    containing = [known for known in vocabulary if word and word.lower() in known]
    if len(containing) == 1:
        return f" (did you mean '{containing[0]}'?)"
    return suggest(word, vocabulary) or f" (known: {', '.join(vocabulary)})"


def read_entry(raw: object, line: int, found: Found, today: date) -> Helpline | None:
    """Check one entry of `helplines:`; None when it has any error."""
    if not isinstance(raw, YamlMap):
        message = "each helpline must be a set of 'key: value' lines, starting with '- id:'"
        found.error(line, message, "wrong_type")
        return None
    return _Entry(raw, found, today).read()


class _Entry:
    def __init__(self, raw: YamlMap, found: Found, today: date) -> None:
        self.raw = raw
        self.found = found
        self.today = today
        ident = raw.get("id")
        self.about = f"helpline '{ident}': " if isinstance(ident, str | int) else ""
        self.failed = False

    def error(self, key: str, message: str, code: str, line: int | None = None) -> None:
        self.found.error(line or self.raw.line_of(key), self.about + message, code)
        self.failed = True

    def read(self) -> Helpline | None:
        for key in self.raw:
            if key not in REQUIRED + OPTIONAL:
                self.error(str(key), unknown_key(key, REQUIRED + OPTIONAL), "unknown_key")
        for key in REQUIRED:
            if self.raw.get(key) is None:
                self.error(key, f"'{key}' is required", "missing_key")
        if not any(self.raw.get(key) is not None for key in CONTACTS):
            message = "give at least one way to reach it: phone, text, textphone, web or email"
            self.error("id", message, "no_contact")
        entry = self._build()
        self._check_doubt()
        return None if self.failed else entry

    def _build(self) -> Helpline:
        bsl = self.raw.get("bsl")
        return Helpline(
            id=self._id(),
            name=self._text("name"),
            description=self._text("description", LONG_DESCRIPTION),
            covers=frozenset(self._words("covers", COVERS)),
            nations=frozenset(self._words("nations", NATIONS)),
            hours=self._hours(),
            confidence=self._confidence(),
            source=self._text("source"),
            last_checked=self._last_checked(),
            phone=self._numbers("phone"),
            text=self._numbers("text"),
            textphone=self._numbers("textphone"),
            web=self._pattern("web", _WEB, "a web address starting with https://"),
            email=self._pattern("email", _EMAIL, "an email address like help@example.org"),
            bsl=self._bsl(bsl),
            bsl_web=bsl if isinstance(bsl, str) else None,
            languages=tuple(self._items("languages", _LANGUAGE, "a language code like en or cy")),
            note=self._text("note", LONG_NOTE) or None,
        )

    # -- single values --------------------------------------------------------------

    def _id(self) -> str:
        value = self.raw.get("id")
        if value is not None and not (isinstance(value, str) and ID_RE.fullmatch(value)):
            self.error("id", f"'id' must be a name: {ID_RULE}", "invalid_id")
        return str(value)

    def _text(self, key: str, long: int | None = None) -> str:
        value = self.raw.get(key)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(key, f"'{key}' must be text", "wrong_type")
            return ""
        if "{" in value or "}" in value:
            self.error(key, f"'{key}' can't hold '{{' or '}}'", "invalid_value")
        if long is not None and len(value) > long:
            message = f"'{key}' is long ({len(value)} characters): keep it under {long}"
            self.found.warning(self.raw.line_of(key), self.about + message, "long_text")
        return value  # as written: it is the translation key (msgid) too

    def _pattern(self, key: str, pattern: re.Pattern[str], what: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.error(key, f"'{key}' must be {what}", "invalid_value")
            return None
        return value

    def _bsl(self, value: Any) -> bool:
        if value is None or value is False:
            return False
        if value is True:
            return True
        what = "true (offered; see their website) or a web address starting with https://"
        return self._pattern("bsl", _WEB, what) is not None

    def _confidence(self) -> Confidence:
        value = self.raw.get("confidence")
        for level in CONFIDENCE:
            if value == level:
                return level
        if value is not None:
            message = "'confidence' must be H (checked), M (needs checking) or U (unverified)"
            self.error("confidence", message, "invalid_value")
        return "U"

    def _date(self, value: Any, key: str, line: int) -> date | None:
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.error(key, f"'{value}' is not a date: write it like 2025-01-31", "invalid_date", line)
        return None

    def _last_checked(self) -> date:
        value = self.raw.get("last_checked")
        if value is None:
            return date.min
        line = self.raw.line_of("last_checked")
        checked = self._date(value, "last_checked", line)
        if checked is None:
            return date.min
        if checked > self.today:
            message = f"'last_checked' is in the future ({checked})"
            self.error("last_checked", message, "future_date")
        elif self.today - checked > STALE_AFTER:
            message = (
                f"last checked on {checked}, over six months ago: check it with its source, "
                "then update 'last_checked'"
            )
            self.found.notice(line, self.about + message, "stale_helpline")
        return checked

    def _check_doubt(self) -> None:
        confidence = self.raw.get("confidence")
        if confidence in ("M", "U") and self.raw.get("note") is None:
            message = (
                f"an entry marked {confidence} needs a 'note' that tells people what to "
                "check (such as the number) before they rely on it"
            )
            self.found.warning(self.raw.line_of("confidence"), self.about + message, "doubt")

    # -- lists --------------------------------------------------------------------

    def _list(self, key: str, *, one_allowed: bool = False) -> Iterator[tuple[Any, int]]:
        """The items of a list (or a single value, when allowed) with their lines."""
        value = self.raw.get(key)
        line = self.raw.line_of(key)
        if value is None:
            return
        if isinstance(value, YamlList):
            if not value:
                self.error(key, f"'{key}' is empty: leave it out or list something", "empty")
            yield from ((item, value.line_of(index)) for index, item in enumerate(value))
        elif one_allowed and not isinstance(value, YamlMap):
            yield value, line
        else:
            self.error(key, f"'{key}' must be a list, like [a, b]", "wrong_type")

    def _words(self, key: str, vocabulary: Collection[str]) -> list[str]:
        found: list[str] = []
        for item, line in self._list(key):
            if item in vocabulary:
                found.append(item)
                continue
            hint = _hint(str(item), vocabulary)
            self.error(key, f"'{key}' has unknown value '{item}'{hint}", "unknown_value", line)
        return found

    def _items(self, key: str, pattern: re.Pattern[str], what: str) -> list[str]:
        found: list[str] = []
        for item, line in self._list(key):
            if isinstance(item, str) and pattern.fullmatch(item):
                found.append(item)
            else:
                self.error(key, f"'{item}' in '{key}' must be {what}", "invalid_value", line)
        return found

    def _numbers(self, key: str) -> tuple[str, ...]:
        found: list[str] = []
        for item, line in self._list(key, one_allowed=True):
            # `phone: 999` reads as a number; the digits are what matter.
            number = str(item) if isinstance(item, int) and not isinstance(item, bool) else item
            if not isinstance(number, str):
                self.error(key, f"'{key}' must be a phone number in quotes", "wrong_type", line)
            elif (problem := phone_problem(number)) is not None:
                self.error(key, f"'{key}': {problem}", "bad_number", line)
            else:
                found.append(number)
        return tuple(found)

    # -- opening hours ------------------------------------------------------------

    def _hours(self) -> OpeningHours:
        closed = frozenset(self._closed_on())
        value = self.raw.get("hours")
        if value is None:
            return UNKNOWN_HOURS
        if value in (HoursKind.ALWAYS, HoursKind.VARIES, HoursKind.UNKNOWN):
            return OpeningHours(HoursKind(value), closed_on=closed)
        if not isinstance(value, YamlMap) or not value:
            message = (
                "'hours' must be always, varies, unknown, or days with times such as "
                'mon-fri: "09:00-17:00"'
            )
            self.error("hours", message, "bad_hours")
            return UNKNOWN_HOURS
        return OpeningHours(HoursKind.WEEKLY, tuple(self._ranges(value)), closed)

    def _ranges(self, hours: YamlMap) -> list[OpenRange]:
        ranges: list[OpenRange] = []
        seen: dict[int, str] = {}
        for key, times in hours.items():
            line = hours.line_of(key)
            days = parse_days(str(key))
            if isinstance(days, str):
                self.error("hours", days, "bad_hours", line)
                continue
            if not isinstance(times, str):
                message = f"the times for '{key}' must be in quotes, like \"09:00-17:00\""
                self.error("hours", message, "bad_hours", line)
                continue
            for day in days:
                if day in seen:
                    message = f"'{key}' repeats a day already given by '{seen[day]}'"
                    self.error("hours", message, "bad_hours", line)
                    break
                seen[day] = str(key)
                parsed = parse_times(times, day)
                if isinstance(parsed, str):
                    self.error("hours", parsed, "bad_hours", line)
                    break
                ranges += parsed
        return ranges

    def _closed_on(self) -> list[date]:
        dates = (self._date(item, "closed_on", line) for item, line in self._list("closed_on"))
        return [day for day in dates if day is not None]
