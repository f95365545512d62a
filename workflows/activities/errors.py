"""The one place where the domain's refusals (``service/errors.py``) become Temporal's:
a non-retryable ``ApplicationError`` named after the refusal, since no retry mends a
caller's mistake. Every other error stays retryable (the database may be back soon).

``RefusalsInterceptor`` applies it to every activity of the worker, so an activity
raises the domain's errors as the API's services do, and translates none itself.
"""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from service.errors import DomainError


def application_error(exc: DomainError) -> ApplicationError:
    """The refusal as the workflow sees it: its detail as the message, its class as the
    type, its structured part (the phase, the fields) as the details."""
    details = () if exc.extra is None else (exc.extra,)
    return ApplicationError(exc.detail, *details, type=type(exc).__name__, non_retryable=True)


class _RefusalsAreFinal(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await self.next.execute_activity(input)
        except DomainError as exc:
            raise application_error(exc) from None


class RefusalsInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _RefusalsAreFinal(next)
