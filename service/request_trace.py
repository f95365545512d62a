"""The request id follows a request into Temporal: into the workflow it starts, the
updates and signals it sends, and every activity (and child workflow) they cause, so the
worker's log lines (``request_id`` in the JSON logs, service/logjson.py) and the audit
log's changes made by activities carry the id of the API's answer (``X-Request-Id``).

The id travels in a Temporal header (``proeftuin-request-id``), never in a workflow's
input, so the workflows' signatures and histories' payloads stay as they were:

- ``RequestIdClientInterceptor`` (the API's client, and any other made by
  service/temporal.py) copies the id of the current request (the audit log's current
  actor, set by the audit middleware for every state-changing request) into the header of
  each workflow start, signal, update and query.
- ``RequestIdWorkerInterceptor`` (the worker, workflows/worker.py) reads it. What a
  workflow does is caused by a request when it does it in the workflow task that reacts
  to that request: the start, an update or a signal that carried the id, or the
  completion of an activity that carried it. An update or signal handler's own commands
  carry its request's id whenever it sends them. Each activity, child workflow, signal
  or continue-as-new sent so carries the id in its header; what the workflow does later
  on its own (a timer, the daily round) carries none. An activity puts the id on the
  audit log's current actor while it runs.

  So publishing a challenge gives its "draft -> open" the publish request's id, and a
  cancellation, whose update sets a flag that the main run acts on at once, gives its
  "-> cancelled" the cancel request's id; "open -> review" when the call closes has none.

Workflow code stays deterministic: the id is read from headers that are part of the
history, the workflow task's time is ``workflow.now()`` (from the history too), and the
id is written only into the headers of commands, which replay does not compare.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any, NoReturn

import temporalio.client
import temporalio.converter
import temporalio.worker
import temporalio.workflow
from temporalio.api.common.v1 import Payload

from service.audit.context import current_actor

HEADER = "proeftuin-request-id"
MAX_LENGTH = 64  # ours are 32 hex digits; a header from elsewhere is cut to this

_converter = temporalio.converter.PayloadConverter.default

_in_handler: ContextVar[str | None] = ContextVar("proeftuin_handler_request_id", default=None)
"""The request id of the update or signal whose handler runs in this task."""


def with_request_id(
    headers: Mapping[str, Payload], request_id: str | None
) -> Mapping[str, Payload]:
    """``headers`` with the request id added (unchanged without one)."""
    if not request_id:
        return headers
    return {**headers, HEADER: _converter.to_payloads([request_id])[0]}


def request_id_of(headers: Mapping[str, Payload]) -> str | None:
    """The request id in ``headers``, if any (a malformed one is ignored)."""
    payload = headers.get(HEADER)
    if payload is None:
        return None
    try:
        value = _converter.from_payloads([payload])[0]
    except Exception:  # noqa: BLE001 - a header is a hint, never a reason to fail
        return None
    return value[:MAX_LENGTH] if isinstance(value, str) and value else None


# --- the client's side: the API's request id into each call --------------------------


class RequestIdClientInterceptor(temporalio.client.Interceptor):
    def intercept_client(
        self, next: temporalio.client.OutboundInterceptor
    ) -> temporalio.client.OutboundInterceptor:
        return _ClientOutbound(next)


def _current_request_id() -> str | None:
    return current_actor.get().request_id


class _ClientOutbound(temporalio.client.OutboundInterceptor):
    async def start_workflow(
        self, input: temporalio.client.StartWorkflowInput
    ) -> temporalio.client.WorkflowHandle[Any, Any]:
        input.headers = with_request_id(input.headers, _current_request_id())
        return await super().start_workflow(input)

    async def signal_workflow(self, input: temporalio.client.SignalWorkflowInput) -> None:
        input.headers = with_request_id(input.headers, _current_request_id())
        await super().signal_workflow(input)

    async def query_workflow(self, input: temporalio.client.QueryWorkflowInput) -> Any:
        input.headers = with_request_id(input.headers, _current_request_id())
        return await super().query_workflow(input)

    async def start_workflow_update(
        self, input: temporalio.client.StartWorkflowUpdateInput
    ) -> temporalio.client.WorkflowUpdateHandle[Any]:
        input.headers = with_request_id(input.headers, _current_request_id())
        return await super().start_workflow_update(input)

    async def start_update_with_start_workflow(
        self, input: temporalio.client.StartWorkflowUpdateWithStartInput
    ) -> temporalio.client.WorkflowUpdateHandle[Any]:
        request_id = _current_request_id()
        start, update = input.start_workflow_input, input.update_workflow_input
        start.headers = with_request_id(start.headers, request_id)
        update.headers = with_request_id(update.headers, request_id)
        return await super().start_update_with_start_workflow(input)


# --- the worker's side: from the headers into workflows and activities --------------


class RequestIdWorkerInterceptor(temporalio.worker.Interceptor):
    def intercept_activity(
        self, next: temporalio.worker.ActivityInboundInterceptor
    ) -> temporalio.worker.ActivityInboundInterceptor:
        return _ActivityInbound(next)

    def workflow_interceptor_class(
        self, input: temporalio.worker.WorkflowInterceptorClassInput
    ) -> type[temporalio.worker.WorkflowInboundInterceptor]:
        return _WorkflowInbound


class _ActivityInbound(temporalio.worker.ActivityInboundInterceptor):
    async def execute_activity(self, input: temporalio.worker.ExecuteActivityInput) -> Any:
        request_id = request_id_of(input.headers)
        if request_id is None:
            return await self.next.execute_activity(input)
        actor = dataclasses.replace(current_actor.get(), request_id=request_id)
        token = current_actor.set(actor)
        try:
            return await self.next.execute_activity(input)
        finally:
            current_actor.reset(token)


class _WorkflowInbound(temporalio.worker.WorkflowInboundInterceptor):
    """One per workflow run: what caused the workflow task running now."""

    def __init__(self, next: temporalio.worker.WorkflowInboundInterceptor) -> None:
        super().__init__(next)
        self._cause: tuple[str, datetime] | None = None

    def init(self, outbound: temporalio.worker.WorkflowOutboundInterceptor) -> None:
        super().init(_WorkflowOutbound(outbound, self))

    def caused_by(self, request_id: str | None) -> None:
        """The workflow task running now reacts to an event of this request."""
        if request_id:
            self._cause = (request_id, temporalio.workflow.now())

    def current(self) -> str | None:
        """The request id for a command sent now: a handler's own, else that of the event
        the workflow task running now reacts to (``workflow.now()`` is the task's time,
        read from the history, so this is the same on replay)."""
        handler = _in_handler.get()
        if handler:
            return handler
        if self._cause is not None and self._cause[1] == temporalio.workflow.now():
            return self._cause[0]
        return None

    async def execute_workflow(self, input: temporalio.worker.ExecuteWorkflowInput) -> Any:
        self.caused_by(request_id_of(input.headers))
        return await super().execute_workflow(input)

    async def handle_signal(self, input: temporalio.worker.HandleSignalInput) -> None:
        request_id = request_id_of(input.headers)
        self.caused_by(request_id)
        token = _in_handler.set(request_id)  # the handler's own task
        try:
            await super().handle_signal(input)
        finally:
            _in_handler.reset(token)

    async def handle_update_handler(self, input: temporalio.worker.HandleUpdateInput) -> Any:
        request_id = request_id_of(input.headers)
        self.caused_by(request_id)
        token = _in_handler.set(request_id)
        try:
            return await super().handle_update_handler(input)
        finally:
            _in_handler.reset(token)


class _WorkflowOutbound(temporalio.worker.WorkflowOutboundInterceptor):
    def __init__(
        self, next: temporalio.worker.WorkflowOutboundInterceptor, root: _WorkflowInbound
    ) -> None:
        super().__init__(next)
        self._root = root

    def _chained(
        self, handle: temporalio.workflow.ActivityHandle[Any], request_id: str | None
    ) -> temporalio.workflow.ActivityHandle[Any]:
        """What the workflow does when this activity completes is caused by the request
        too (a done callback runs before the code awaiting the activity resumes)."""
        if request_id:
            handle.add_done_callback(lambda _: self._root.caused_by(request_id))
        return handle

    def start_activity(
        self, input: temporalio.worker.StartActivityInput
    ) -> temporalio.workflow.ActivityHandle[Any]:
        request_id = self._root.current()
        input.headers = with_request_id(input.headers, request_id)
        return self._chained(super().start_activity(input), request_id)

    def start_local_activity(
        self, input: temporalio.worker.StartLocalActivityInput
    ) -> temporalio.workflow.ActivityHandle[Any]:
        request_id = self._root.current()
        input.headers = with_request_id(input.headers, request_id)
        return self._chained(super().start_local_activity(input), request_id)

    async def start_child_workflow(
        self, input: temporalio.worker.StartChildWorkflowInput
    ) -> temporalio.workflow.ChildWorkflowHandle[Any, Any]:
        input.headers = with_request_id(input.headers, self._root.current())
        return await super().start_child_workflow(input)

    async def signal_child_workflow(
        self, input: temporalio.worker.SignalChildWorkflowInput
    ) -> None:
        input.headers = with_request_id(input.headers, self._root.current())
        await super().signal_child_workflow(input)

    async def signal_external_workflow(
        self, input: temporalio.worker.SignalExternalWorkflowInput
    ) -> None:
        input.headers = with_request_id(input.headers, self._root.current())
        await super().signal_external_workflow(input)

    def continue_as_new(self, input: temporalio.worker.ContinueAsNewInput) -> NoReturn:
        input.headers = with_request_id(input.headers, self._root.current())
        super().continue_as_new(input)
