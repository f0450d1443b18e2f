"""Reading what admins type while writing a broadcast: dates, times, expiry moments.

Admins are in the UK: a day and a time they type are London time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


class InputError(ValueError):
    """What the admin typed does not fit; the message says what would."""


def read_date(text: str, today: date, *, not_before: date | None = None) -> date:
    """`14/12/2026`, `14/12/26`, `14/12` (this year, or next if past), or an ISO date;
    with `not_before`, a day before it is refused (a gathering's day that has passed)."""
    typed = text.strip()
    if not _DATE.fullmatch(typed) and not _ISO_DATE.fullmatch(typed):
        raise InputError("Please type a date like 14/12/2026.")
    try:
        found = _parse_date(typed, today)
    except ValueError:
        raise InputError(f"{typed} is not a date. Please type one like 14/12/2026.") from None
    if not_before is not None and found < not_before:
        raise InputError(f"{typed} has passed. Please type a day from today on, like 14/12/2026.")
    return found


def _parse_date(typed: str, today: date) -> date:
    try:
        return date.fromisoformat(typed)
    except ValueError:
        pass
    match = _DATE.fullmatch(typed)
    if match is None:
        raise ValueError(typed)
    day, month, year = int(match[1]), int(match[2]), match[3]
    full_year = today.year if year is None else int(year) + (2000 if len(year) == 2 else 0)
    found = date(full_year, month, day)
    if year is None and found < today:
        # 29/02 typed in March of a leap year has no next year: date() says so (ValueError).
        found = date(full_year + 1, month, day)
    return found


def read_time(text: str) -> time:
    """`14:00`, `9.30`."""
    match = _TIME.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise InputError("Please type a time like 14:00.")
    return time(int(match[1]), int(match[2]))


def read_moment(text: str, now: datetime) -> datetime:
    """`14/12/2026 18:00` (London time), as a UTC datetime after `now`."""
    parts = text.strip().split()
    if len(parts) != 2:
        raise InputError("Please type a day and a time like 14/12/2026 18:00.")
    local_now = now.astimezone(LONDON)
    moment = datetime.combine(read_date(parts[0], local_now.date()), read_time(parts[1]))
    at = moment.replace(tzinfo=LONDON).astimezone(UTC)
    if at <= now:
        raise InputError("That moment has passed. Please type one in the future.")
    return at


def shown_moment(at: datetime) -> str:
    """`Sat 14 Dec 18:00` in London time."""
    return at.astimezone(LONDON).strftime("%a %d %b %H:%M")


def hours_from(now: datetime, hours: int) -> datetime:
    return now + timedelta(hours=hours)
