"""A bot's pending updates, confirmed the way getUpdates confirms them.

An update stays until a getUpdates call passes an `offset` above its update_id (or a
webhook delivery succeeds), so a bot that restarts without confirming sees it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.testing.notify import Notifier

Update = dict[str, Any]

# Telegram's default when allowed_updates is empty: everything but these three.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class _Pending:
    update: Update
    # A duplicate a test forced in: returned once whatever the offset, then forgotten.
    repeat: bool = False


class UpdateQueue:
    """Updates for one bot, with update_ids increasing from 1."""

    def __init__(self, changed: Notifier) -> None:
        self._changed = changed
        self._items: list[_Pending] = []
        self._next_id = 1
        self.allowed_updates: list[str] = []
        self.poll_generation = 0
        # Every update handed to the bot, repeats included, for tests to inspect.
        self.delivered: list[Update] = []
        self.last_pushed: Update | None = None

    @property
    def pending(self) -> list[Update]:
        """Updates not yet confirmed, oldest first."""
        return [item.update for item in self._items]

    def push(self, kind: str, payload: dict[str, Any]) -> Update | None:
        """Queue a new update of `kind`; None when the bot's allowed_updates filter it out."""
        if not self._allowed(kind):
            return None
        update: Update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._items.append(_Pending(update))
        self.last_pushed = update
        self._changed.notify()
        return update

    def push_raw(self, update: Update) -> Update:
        """Queue `update` as given, unchecked and whatever its kind. Without an update_id
        it gets the next one; one it carries (an integer, even beyond 2^53 or 2^63) is
        kept, and later updates are numbered after it: ids only grow, as Telegram's do."""
        update = dict(update)
        given = update.setdefault("update_id", self._next_id)
        if type(given) is not int:
            raise ValueError(f"update_id should be an integer, not {given!r}")
        self._next_id = max(self._next_id, given + 1)
        self._items.append(_Pending(update))
        self.last_pushed = update
        self._changed.notify()
        return update

    def repeat(self, update: Update) -> None:
        """Queue `update` again with its old update_id, like a retried webhook delivery."""
        self._items.append(_Pending(dict(update), repeat=True))
        self._changed.notify()

    def confirm(self, offset: int) -> None:
        """Forget updates below `offset`; a negative offset keeps only the last -offset."""
        if offset < 0:
            del self._items[: max(len(self._items) + offset, 0)]
        elif offset > 0:
            self._items = [
                item for item in self._items if item.repeat or item.update["update_id"] >= offset
            ]

    def take(self, limit: int) -> list[Update]:
        """Up to `limit` updates for a getUpdates answer (forced repeats are used up)."""
        chosen = self._items[:limit]
        self._items = [item for item in self._items if not (item.repeat and item in chosen)]
        updates = [item.update for item in chosen]
        self.delivered.extend(updates)
        return updates

    def acknowledge(self, update: Update) -> None:
        """Forget `update` once a webhook accepted it (or delivery was given up)."""
        for item in self._items:
            if item.update is update:
                self._items.remove(item)
                self.delivered.append(update)
                return

    def drop_all(self) -> None:
        """Forget everything pending (drop_pending_updates)."""
        self._items.clear()

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Remember the update kinds the bot asked for; None keeps the last choice."""
        if allowed is not None:
            self.allowed_updates = list(allowed)

    def _allowed(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_BY_DEFAULT
