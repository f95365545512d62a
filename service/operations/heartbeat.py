"""The worker serves no HTTP, so its liveness is a file: while it polls its task queue it
writes the time into ``<data folder>/worker.heartbeat`` every few seconds, and
``proeftuin healthcheck`` (the image's HEALTHCHECK, the Kubernetes probes) reads it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

HEARTBEAT_FILE = "worker.heartbeat"
EVERY_SECONDS = 10.0
STALE_AFTER_SECONDS = 60.0


def heartbeat_path(data_dir: Path) -> Path:
    return data_dir / HEARTBEAT_FILE


async def beat(path: Path, alive: Callable[[], bool], every: float = EVERY_SECONDS) -> None:
    """Until cancelled: write the time while ``alive()`` says the worker runs."""
    await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
    while True:
        if alive():
            await asyncio.to_thread(path.write_text, f"{time.time():.0f}\n")
        await asyncio.sleep(every)


def fresh(path: Path, within: float = STALE_AFTER_SECONDS) -> bool:
    try:
        return time.time() - float(path.read_text().strip()) <= within
    except (OSError, ValueError):
        return False
