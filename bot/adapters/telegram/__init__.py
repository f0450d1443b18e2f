"""Telegram, whichever library speaks to it: the shared half of both adapters.

aiogram and python-telegram-bot each only turn their updates into `Incoming` and
implement `BotApi`; everything else (callback data, splitting, retries, ordering,
duplicates, quick exit) lives here once.
"""
