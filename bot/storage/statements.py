"""Statement builders whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def insert_unless_exists(
    dialect_name: str, table: Table, conflict_column: str, values: dict[str, Any]
) -> Insert:
    """INSERT that does nothing when a row with the same `conflict_column` exists.

    Both databases spell it `ON CONFLICT (column) DO NOTHING`. Naming the column keeps
    other errors (a missing foreign key, a NOT NULL) loud, unlike SQLite's INSERT OR IGNORE.
    """
    if dialect_name == "postgresql":
        return (
            postgresql.insert(table)
            .values(values)
            .on_conflict_do_nothing(index_elements=[conflict_column])
        )
    if dialect_name == "sqlite":
        return (
            sqlite.insert(table)
            .values(values)
            .on_conflict_do_nothing(index_elements=[conflict_column])
        )
    raise ValueError(f"unsupported database {dialect_name!r}")
