"""The one clock the domain reads: the current instant, always time-zone-aware UTC.

Workflows do not use it (they read ``workflow.now()``); everything else does, so a
test can tell which code reads the time by looking for this one name.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
