"""The worker's side of the audit log: changes made by an activity are attributed to
the workflow that ran it."""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from service.audit.context import Actor, current_actor


class _AttributeToWorkflow(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        # The id of the request that caused the activity, when there was one (put there
        # by the request-id interceptor, service/request_trace.py, which runs first).
        request_id = current_actor.get().request_id
        actor = Actor(kind="workflow", workflow_id=info.workflow_id, request_id=request_id)
        token = current_actor.set(actor)
        try:
            return await self.next.execute_activity(input)
        finally:
            current_actor.reset(token)


class AuditInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _AttributeToWorkflow(next)
