"""Opening hours of a helpline: read from the directory's `hours:` and asked "open now?".

Hours are London wall-clock times (`mon-thu: "10:00-20:30"`), so they are evaluated on
naive local times: a line that opens at 10:00 opens at 10:00 in GMT and in BST alike.
A range may run past midnight (`fri: "22:00-02:00"` closes at 02:00 on Saturday), as
evening lines often do; `24:00` ends a range at midnight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAILY = "daily"
MINUTES_A_DAY = 24 * 60

_TIME = r"([01]\d|2[0-4]):([0-5]\d)"
_RANGE = re.compile(rf"{_TIME}\s*-\s*{_TIME}")
_HOURS_RULE = 'write times like "10:00-20:30" (24-hour clock); several: "09:00-12:00, 13:00-17:00"'


class HoursKind(StrEnum):
    """What is known about when a line is open."""

    ALWAYS = "always"  # 24 hours, every day
    VARIES = "varies"  # depends on the area (say how in the entry's note)
    WEEKLY = "weekly"  # the same ranges every week
    UNKNOWN = "unknown"  # `hours:` left out: we don't know, so we never say "open"


@dataclass(frozen=True, slots=True)
class OpenRange:
    """Open on `day` (0 = Monday) from `start` for `minutes` (which may run past midnight)."""

    day: int
    start: int
    minutes: int


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """When a line answers. `closed_on` dates (London) start no opening, even for `always`."""

    kind: HoursKind
    ranges: tuple[OpenRange, ...] = ()
    closed_on: frozenset[date] = frozenset()

    def is_open(self, local: datetime) -> bool | None:
        """Open at this London time; None when unknown or varying by area."""
        if self.kind in (HoursKind.UNKNOWN, HoursKind.VARIES):
            return None
        return self.open_until(local) is not None

    def open_until(self, local: datetime) -> datetime | None:
        """When the opening that holds `local` ends (London time), or None if closed now.

        Openings that follow on without a gap count as one. A line open all the time ends,
        as far as this looks, about a week ahead: callers say "open" rather than a time then.
        """
        for start, end in self._openings(local - timedelta(days=2), days=10):
            if start <= local < end:
                return end
        return None

    def next_opening(self, local: datetime) -> datetime | None:
        """The next time after `local` it opens (London time), or None within eight weeks."""
        if self.kind not in (HoursKind.ALWAYS, HoursKind.WEEKLY):
            return None
        for start, _ in self._openings(local, days=56):
            if start > local:
                return start
        return None

    def _openings(self, since: datetime, days: int) -> list[tuple[datetime, datetime]]:
        """Openings that start on the `days` dates from `since`, joined where they touch."""
        first = since.replace(hour=0, minute=0, second=0, microsecond=0)
        spans: list[tuple[datetime, datetime]] = []
        for offset in range(days):
            midnight = first + timedelta(days=offset)
            if midnight.date() in self.closed_on:
                continue
            for piece in self._ranges_on(midnight.weekday()):
                begin = midnight + timedelta(minutes=piece.start)
                spans.append((begin, begin + timedelta(minutes=piece.minutes)))
        spans.sort()
        joined: list[tuple[datetime, datetime]] = []
        for start, end in spans:
            if joined and start <= joined[-1][1]:
                joined[-1] = (joined[-1][0], max(joined[-1][1], end))
            else:
                joined.append((start, end))
        return joined

    def _ranges_on(self, weekday: int) -> tuple[OpenRange, ...]:
        if self.kind is HoursKind.ALWAYS:
            return (OpenRange(weekday, 0, MINUTES_A_DAY),)
        return tuple(piece for piece in self.ranges if piece.day == weekday)


UNKNOWN_HOURS = OpeningHours(HoursKind.UNKNOWN)


def parse_days(key: str) -> list[int] | str:
    """`mon`, `mon-fri`, `sat-sun` or `daily` -> weekday numbers; otherwise what is wrong."""
    text = key.strip().lower()
    if text == DAILY:
        return list(range(7))
    first, dash, last = text.partition("-")
    if first not in DAYS or (dash and last not in DAYS):
        return f"'{key}' is not a day or days: use {', '.join(DAYS)}, {DAILY} or mon-fri"
    start, end = DAYS.index(first), DAYS.index(last or first)
    count = (end - start) % 7 + 1  # `fri-mon` wraps round the weekend
    return [(start + offset) % 7 for offset in range(count)]


def parse_times(value: str, day: int) -> list[OpenRange] | str:
    """`"10:00-20:30"` or `"09:00-12:00, 13:00-17:00"` on `day`; otherwise what is wrong."""
    ranges: list[OpenRange] = []
    for part in value.split(","):
        match = _RANGE.fullmatch(part.strip())
        if match is None:
            return f"'{value.strip()}' is not a time range: {_HOURS_RULE}"
        start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
        start, end = start_h * 60 + start_m, end_h * 60 + end_m
        if start >= MINUTES_A_DAY or end > MINUTES_A_DAY:
            return f"'{part.strip()}': a time goes from 00:00 to 24:00, and 24:00 only ends a range"
        if start == end:
            message = "opens and closes at the same time: for all day, use 00:00-24:00"
            return f"'{part.strip()}' {message}"
        minutes = end - start if end > start else MINUTES_A_DAY - start + end
        ranges.append(OpenRange(day, start, minutes))
    return ranges
