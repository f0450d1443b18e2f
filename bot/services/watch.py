"""Reloading flows when their files change (and on SIGHUP, by calling `reload` directly)."""

from __future__ import annotations

import asyncio
import logging

from bot.services.library import FlowLibrary, fingerprint

log = logging.getLogger(__name__)


async def watch_flows(library: FlowLibrary, every: float = 2.0) -> None:
    """Poll the flows folder; reload (only used if the checker passes) when it changes.

    Polling a few dozen small files costs nothing and works on every file system,
    including mounted volumes where change notifications are unreliable."""
    while True:
        await asyncio.sleep(every)
        try:
            if fingerprint(library.directory) != library.seen:
                log.info("flow files changed; reloading")
                library.reload()
        except Exception as error:  # a folder being replaced by a deploy, say: keep watching
            log.error("flows not reloaded: %s", type(error).__name__)
