"""Errors the storage layer raises for callers to handle."""

from __future__ import annotations


class StaleSession(Exception):
    """The stored session changed since it was loaded, so this save was refused.

    Raised when saving a "new" session finds a row already there, or when the stored
    version is no longer the one the caller loaded. The caller should load again and
    redo its work on the fresh session rather than overwrite someone else's change.
    """

    def __init__(self, contact_id: int, expected_version: int | None) -> None:
        self.contact_id = contact_id
        self.expected_version = expected_version
        expected = "no stored session" if expected_version is None else f"v{expected_version}"
        super().__init__(f"session of contact {contact_id} is no longer at {expected}")


class ContactNotFoundError(LookupError):
    """No contact has the given internal id."""

    def __init__(self, contact_id: int) -> None:
        self.contact_id = contact_id
        super().__init__(f"no contact with id {contact_id}")
