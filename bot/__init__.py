"""Standby: a Telegram bot that stands by people facing hate in the UK."""

__version__ = "0.1.0"
