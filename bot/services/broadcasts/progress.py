"""What admins read about a running broadcast: one line of progress, and a final report.

Staff-facing, so plain English like the staff chat, never translated.
"""

from __future__ import annotations

from datetime import timedelta

from bot.storage.broadcasts import BroadcastRecord, DeliveryCounts


def progress_line(record: BroadcastRecord, counts: DeliveryCounts, rate: float) -> str:
    """`Broadcast #12: 1,204 / 5,000 sent · 3 blocked · ~2 min left`."""
    parts = [f"Broadcast #{record.id}: {counts['sent']:,} / {counts.total:,} sent"]
    parts += [
        f"{counts[status]:,} {status}"
        for status in ("blocked", "failed", "expired", "cancelled")
        if counts[status]
    ]
    if counts.open:
        parts.append(f"~{duration(timedelta(seconds=counts.open / max(rate, 0.1)))} left")
    return " · ".join(parts)


def final_report(record: BroadcastRecord, counts: DeliveryCounts) -> str:
    """The report an admin gets when a broadcast ends (done, expired or cancelled)."""
    ending = {"done": "finished", "cancelled": "was cancelled"}.get(record.status, "ended")
    lines = [f"Broadcast #{record.id} {ending}."]
    lines.append(f"Delivered: {counts['sent']:,} of {counts.total:,}.")
    if counts["blocked"]:
        lines.append(
            f"Blocked the bot or left Telegram: {counts['blocked']:,} (their alerts are stopped)."
        )
    if counts["failed"]:
        lines.append(f"Failed after retries: {counts['failed']:,}.")
    if counts["expired"]:
        lines.append(f"Not sent because the alert expired: {counts['expired']:,}.")
    if counts["cancelled"]:
        lines.append(f"Not sent because it was cancelled: {counts['cancelled']:,}.")
    if counts.resent:
        lines.append(
            f"Sent again after a sender stopped mid-send or Telegram did not answer: "
            f"{counts.resent:,} (these people may have received it twice)."
        )
    else:
        lines.append("Nobody received it twice.")
    if record.started_at is not None and record.finished_at is not None:
        lines.append(f"Took {duration(record.finished_at - record.started_at)}.")
    return "\n".join(lines)


def duration(span: timedelta) -> str:
    """`45 s`, `3 min`, `2 h 5 min`."""
    seconds = max(round(span.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"
