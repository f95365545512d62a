"""With PROEFTUIN_OTEL_ENDPOINT set, a request and the workflow and activities it causes
are one trace, sent over OTLP/HTTP (service/telemetry.py, service/http/telemetry.py): a
small receiver here keeps what the API and the worker send to /v1/traces."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (  # the otel extra
    ExportTraceServiceRequest,
)

from service import telemetry
from tests.builders import create_challenge
from tests.stack import eventually


class Receiver:
    """An OTLP/HTTP receiver: keeps the body of every POST to /v1/traces."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.paths: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                receiver.paths.append(self.path)
                if self.path == "/v1/traces":
                    receiver.bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def spans(self) -> list[Any]:
        found = []
        for body in list(self.bodies):
            request = ExportTraceServiceRequest.FromString(body)
            for resource in request.resource_spans:
                for scope in resource.scope_spans:
                    found.extend(scope.spans)
        return found


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    running.thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def settings(settings, receiver):
    """The test's settings (tests/conftest.py), with tracing to the receiver."""
    return settings.model_copy(update={"otel_endpoint": receiver.url})


async def test_a_request_and_the_workflow_it_starts_are_one_trace(api, actors, worker, receiver):
    city = await actors.city()
    draft = await create_challenge(api, city)
    published = await api.post(f"/api/challenges/{draft['id']}/publish", headers=city.headers)
    assert published.status_code == 200, published.text
    secret = "a-very-secret-unsubscribe-token-value"
    await api.get(f"/api/unsubscribe?token={secret}")

    wanted = {
        "StartWorkflow:ChallengeWorkflow",
        "RunWorkflow:ChallengeWorkflow",
        "StartActivity:record_transition",
        "RunActivity:record_transition",
    }

    async def names() -> set[str]:
        telemetry.flush()
        return {span.name for span in receiver.spans()}

    seen = await eventually(names, lambda found: wanted <= found)
    assert wanted <= seen, sorted(seen)

    spans = receiver.spans()
    [request] = [s for s in spans if s.name.startswith("POST") and s.name.endswith("/publish")]
    temporal = [s for s in spans if s.name in wanted]
    # All in the request's trace: the API's client call, the worker's workflow and activity.
    assert {s.trace_id for s in temporal} == {request.trace_id}
    [start] = [s for s in temporal if s.name == "StartWorkflow:ChallengeWorkflow"]
    assert start.parent_span_id == request.span_id
    assert {"/v1/traces"} == set(receiver.paths)
    # The unsubscribe link's token is redacted from the request's span, as from the logs.
    assert any("unsubscribe" in s.name or "unsubscribe" in str(s.attributes) for s in spans)
    assert all(secret.encode() not in body for body in receiver.bodies)
