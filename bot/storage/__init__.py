"""Storage: SQLModel tables, the session store, repositories and migrations.

SQLite (the default, a file in `data/`) and PostgreSQL are both supported; the same
contract tests run against each.
"""

from bot.storage.contacts import ContactRecord, ContactRepository
from bot.storage.database import make_engine, make_sessionmaker, resolve_url
from bot.storage.errors import ContactNotFoundError, StaleSession
from bot.storage.sessions import SqlSessionStore, StoredSession

__all__ = [
    "ContactNotFoundError",
    "ContactRecord",
    "ContactRepository",
    "SqlSessionStore",
    "StaleSession",
    "StoredSession",
    "make_engine",
    "make_sessionmaker",
    "resolve_url",
]
