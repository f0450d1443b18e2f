"""Alembic migrations for Standby's database, run through `bot.storage.migrate`."""
