"""How many wrong reference codes each contact may try, so codes cannot be guessed.

A reference code is the only proof a person has that a report is theirs. At 31**12 codes
guessing is hopeless one try at a time, and this makes sure it stays one try at a time:
after `allowed` wrong codes in `window`, a contact is told to try again later.

Kept in memory, per process: a restart forgets the count, and each process of a
PostgreSQL deployment counts on its own. That bounds a guesser at `allowed` tries per
window per process, which is still far from finding anyone's code.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

DEFAULT_ALLOWED = 5
DEFAULT_WINDOW = timedelta(hours=1)
# Beyond this many contacts counted, entries whose tries have all aged out are dropped.
TIDY_ABOVE = 10_000


class WrongCodeLimit:
    """Counts each contact's wrong codes in a sliding window."""

    def __init__(self, allowed: int = DEFAULT_ALLOWED, window: timedelta = DEFAULT_WINDOW) -> None:
        self._allowed = allowed
        self._window = window
        self._wrong: dict[int, deque[datetime]] = {}

    def blocked(self, contact_id: int, now: datetime) -> bool:
        """Whether the contact has used up their wrong codes for now."""
        tries = self._wrong.get(contact_id)
        if tries is None:
            return False
        while tries and tries[0] <= now - self._window:
            tries.popleft()
        if not tries:
            del self._wrong[contact_id]
        return len(tries) >= self._allowed

    def record_wrong(self, contact_id: int, now: datetime) -> None:
        """Count one wrong code for the contact at `now`."""
        self._wrong.setdefault(contact_id, deque()).append(now)
        if len(self._wrong) > TIDY_ABOVE:
            self._tidy(now)

    def forget(self, contact_id: int) -> None:
        """Drop the contact's count (they were forgotten)."""
        self._wrong.pop(contact_id, None)

    def _tidy(self, now: datetime) -> None:
        stale = [key for key, tries in self._wrong.items() if tries[-1] <= now - self._window]
        for key in stale:
            del self._wrong[key]
