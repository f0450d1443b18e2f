"""Storage: SQLModel tables, the session store, repositories and migrations.

SQLite (the default, a file in `data/`) and PostgreSQL are both supported; the same
contract tests run against each.
"""

from bot.storage.contacts import ContactRecord, ContactRepository
from bot.storage.database import make_engine, make_sessionmaker, resolve_url
from bot.storage.errors import ContactNotFoundError, StaleSession
from bot.storage.messages import MessageLog
from bot.storage.reports import NewReport, ReportRecord, ReportRepository
from bot.storage.sessions import SqlSessionStore, StoredSession
from bot.storage.updates import UpdateLedger

__all__ = [
    "ContactNotFoundError",
    "ContactRecord",
    "ContactRepository",
    "MessageLog",
    "NewReport",
    "ReportRecord",
    "ReportRepository",
    "SqlSessionStore",
    "StaleSession",
    "StoredSession",
    "UpdateLedger",
    "make_engine",
    "make_sessionmaker",
    "resolve_url",
]
