"""Statement builders whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


@lru_cache(maxsize=32)
def insert_ignoring_conflicts(
    dialect_name: str, table: Table, conflict_columns: str | tuple[str, ...]
) -> Insert:
    """INSERT that does nothing when a row with the same `conflict_columns` exists.

    Both databases spell it `ON CONFLICT (columns) DO NOTHING`. Naming the columns keeps
    other errors (a missing foreign key, a NOT NULL) loud, unlike SQLite's INSERT OR IGNORE.
    Built once per table and executed with the values (one dict, or a list of them):
    building a statement costs about as much as running it (bench/statements.py).
    """
    columns = [conflict_columns] if isinstance(conflict_columns, str) else list(conflict_columns)
    if dialect_name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=columns)
    if dialect_name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=columns)
    raise ValueError(f"unsupported database {dialect_name!r}")
