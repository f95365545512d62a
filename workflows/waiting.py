"""Waiting in a workflow for a condition or a moment, unless something interrupts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from temporalio import workflow


class Interrupted(Exception):
    """Raised out of a wait when its interrupt condition became true (a cancellation).
    The workflow catches it in its run method; it never leaves the workflow."""


async def wait_for(
    condition: Callable[[], bool],
    *,
    interrupt: Callable[[], bool],
    until: datetime | None = None,
) -> bool:
    """Wait until ``condition`` holds or ``until`` (workflow time) comes: True if the
    condition came first. Raises ``Interrupted`` as soon as ``interrupt`` holds."""
    timeout = None if until is None else (until - workflow.now()).total_seconds()
    if timeout is None or timeout > 0:
        try:
            await workflow.wait_condition(lambda: interrupt() or condition(), timeout=timeout)
        except TimeoutError:
            pass
    if interrupt():
        raise Interrupted
    return condition()
