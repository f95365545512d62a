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
        token = current_actor.set(Actor(kind="workflow", workflow_id=info.workflow_id))
        try:
            return await self.next.execute_activity(input)
        finally:
            current_actor.reset(token)


class AuditInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _AttributeToWorkflow(next)
