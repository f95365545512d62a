"""The request id follows a request into the workflow and the activities it causes
(service/request_trace.py): the activity's JSON log line and the audit log's changes
made by the workflow carry the id of the API's answer (X-Request-Id); what the workflow
does later on its own carries none."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from service.logjson import JsonFormatter
from tests.builders import create_challenge, wait_for_phase
from tests.stack import eventually

PHASES = "workflows.activities.phases"


class JsonLines(logging.Handler):
    """The production log format (service/logjson.py), each line kept as its object.
    Formatted when logged, in the thread and context of whoever logs it."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.entries: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.entries.append(json.loads(self.format(record)))

    def about(self, text: str) -> list[dict[str, Any]]:
        return [e for e in self.entries if text in e["message"]]


@pytest.fixture
def json_logs() -> Iterator[JsonLines]:
    handler = JsonLines()
    logger = logging.getLogger(PHASES)
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


async def audit(api, city, **filters) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    response = await api.get(f"/api/audit?limit=100&{query}", headers=city.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def phase_after(entry: dict) -> str | None:
    return (entry.get("after") or {}).get("phase")


async def lines_about(json_logs: JsonLines, text: str) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]]:
        return json_logs.about(text)

    return await eventually(probe, bool)


async def test_the_publish_requests_id_reaches_the_activity_it_causes(
    api, actors, temporal, worker, json_logs
):
    city = await actors.city()
    draft = await create_challenge(api, city, close_in=timedelta(days=1))
    cid = draft["id"]
    published = await api.post(f"/api/challenges/{cid}/publish", headers=city.headers)
    assert published.status_code == 200, published.text
    request_id = published.headers["x-request-id"]

    [line] = await lines_about(json_logs, f"challenge {cid}: draft -> open")
    assert line["request_id"] == request_id
    assert line["workflow_id"] == f"challenge-{cid}"
    assert line["logger"] == PHASES and line["level"] == "info"

    # The audit log: the request, and the change the workflow's activity made for it.
    entries = await audit(api, city, request_id=request_id)
    assert {e["kind"] for e in entries} == {"request", "change"}
    by_workflow = [e for e in entries if e["actor_kind"] == "workflow"]
    assert any(
        e["resource_type"] == "challenges" and phase_after(e) == "open" for e in by_workflow
    ), entries

    # When the call closes, days later, the workflow acts on its own: no request id.
    await temporal.sleep(timedelta(days=1, hours=1))
    assert await wait_for_phase(api, cid, "review") == "review"
    [closed] = await lines_about(json_logs, f"challenge {cid}: open -> review")
    assert "request_id" not in closed
    assert closed["workflow_id"] == f"challenge-{cid}"


async def test_a_cancellation_carries_the_cancel_requests_id(api, actors, worker, json_logs):
    city = await actors.city()
    draft = await create_challenge(api, city)
    cid = draft["id"]
    published = await api.post(f"/api/challenges/{cid}/publish", headers=city.headers)
    assert published.status_code == 200, published.text
    cancelled = await api.post(
        f"/api/challenges/{cid}/cancel", json={"reason": "No budget"}, headers=city.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    cancel_id = cancelled.headers["x-request-id"]
    assert cancel_id != published.headers["x-request-id"]

    # The update only sets a flag; the workflow's main run records the end at once,
    # in the same workflow task, so the record carries the cancel request's id.
    [line] = await lines_about(json_logs, f"challenge {cid}: open -> cancelled")
    assert line["request_id"] == cancel_id
    [change] = [
        e
        for e in await audit(api, city, request_id=cancel_id, kind="change")
        if e["resource_type"] == "challenges" and phase_after(e) == "cancelled"
    ]
    assert change["actor_kind"] == "workflow"
