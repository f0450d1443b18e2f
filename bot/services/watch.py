"""Reloading flows when their files change (and on SIGHUP, by calling `reload` directly)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.services.library import FlowLibrary

log = logging.getLogger(__name__)


def fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the YAML files under `directory`."""
    found = []
    for path in sorted(directory.rglob("*.y*ml")):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue  # removed while we looked
        found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


async def watch_flows(library: FlowLibrary, every: float = 2.0) -> None:
    """Poll the flows folder; reload (only used if the checker passes) when it changes.

    Polling a few dozen small files costs nothing and works on every file system,
    including mounted volumes where change notifications are unreliable."""
    seen = fingerprint(library.directory)
    while True:
        await asyncio.sleep(every)
        now = fingerprint(library.directory)
        if now != seen:
            seen = now
            log.info("flow files changed; reloading")
            library.reload()
