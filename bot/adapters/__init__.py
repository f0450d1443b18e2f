"""Adapters: turn engine events into something a person sees (Telegram, a terminal)."""
