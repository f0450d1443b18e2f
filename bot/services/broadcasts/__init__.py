"""Broadcast alerts: subscriptions, composing, approval and delivery at Telegram's limits."""
