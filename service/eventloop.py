"""The event loop the API runs on: uvloop where it is installed (a dependency), else
asyncio's own. uvicorn picks httptools by itself when it is importable; the loop it
cannot pick, because ``proeftuin api`` starts the loop itself (docs/performance.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def api_event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency; kept for odd platforms
        return None
    return uvloop.new_event_loop
