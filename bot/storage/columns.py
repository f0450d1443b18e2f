"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def require_aware(name: str, value: datetime | None) -> None:
    """Refuse a naive datetime early, with a message naming the argument."""
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, kept in UTC: timestamptz on PostgreSQL.

    SQLite has no timezone type: SQLAlchemy writes the wall-clock text and drops the
    offset, so 10:00+01:00 would read back as 10:00. Converting to UTC before writing
    and marking values as UTC on reading keeps both databases giving the same answers,
    including for `expires_at < now` comparisons. Naive datetimes are refused because
    their meaning depends on the server's local time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        require_aware("a stored datetime", value)
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
