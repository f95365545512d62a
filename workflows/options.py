"""Activity options shared by the workflows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy

# A database write: retried until the database is back (no attempt limit), with
# business refusals (the domain's errors, made ``ApplicationError(non_retryable=True)``
# by ``workflows/activities/errors.py``) failing at once.
DB_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=1),
        maximum_attempts=0,
    ),
}
