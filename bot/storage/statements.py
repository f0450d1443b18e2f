"""Statement builders whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def insert_unless_exists(
    dialect_name: str,
    table: Table,
    conflict_columns: str | Sequence[str],
    values: dict[str, Any],
) -> Insert:
    """INSERT that does nothing when a row with the same `conflict_columns` exists.

    Both databases spell it `ON CONFLICT (columns) DO NOTHING`. Naming the columns keeps
    other errors (a missing foreign key, a NOT NULL) loud, unlike SQLite's INSERT OR IGNORE.
    """
    return insert_ignoring_conflicts(dialect_name, table, conflict_columns).values(values)


def insert_ignoring_conflicts(
    dialect_name: str, table: Table, conflict_columns: str | Sequence[str]
) -> Insert:
    """The statement of `insert_unless_exists` without values, to execute with many rows."""
    columns = [conflict_columns] if isinstance(conflict_columns, str) else list(conflict_columns)
    if dialect_name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=columns)
    if dialect_name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=columns)
    raise ValueError(f"unsupported database {dialect_name!r}")


@lru_cache(maxsize=32)
def inserting(dialect_name: str, table: Table, conflict_columns: str | tuple[str, ...]) -> Insert:
    """`insert_ignoring_conflicts`, built once per table: the hot paths execute it with a
    dict of values (building a statement costs about as much as running it)."""
    return insert_ignoring_conflicts(dialect_name, table, conflict_columns)
