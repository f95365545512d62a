"""Recording workflow histories as replay fixtures.

The lifecycle tests call ``record`` when they finish; with ``PROEFTUIN_RECORD_HISTORIES=1``
set, it writes the histories of the workflows they ran to tests/replay/histories/, to
be committed. Record again only when a change to a workflow is meant to be
incompatible with challenges already running (see docs/workflow-changes.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from temporalio.client import Client

HISTORIES = Path(__file__).with_name("histories")


def recording() -> bool:
    return os.environ.get("PROEFTUIN_RECORD_HISTORIES") == "1"


async def record(client: Client, name: str, workflow_ids: Iterable[str]) -> None:
    if not recording():
        return
    HISTORIES.mkdir(exist_ok=True)
    for workflow_id in workflow_ids:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        path = HISTORIES / f"{name}.{workflow_id}.json"
        path.write_text(json.dumps(json.loads(history.to_json()), indent=None) + "\n")
