"""Log lines as JSON in production mode (text in the embedded default): one object per
line with the time, level, logger and message, the request id and the workflow of the
audit log's current actor when there is one (so a request's lines and the activities it
causes can be found together), the access log's fields, and any traceback. The redaction
filters (service/security/logs.py) run before the formatter, so secrets stay out."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import uvicorn.config

from service.audit.context import current_actor


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        access = record.name == "uvicorn.access" and isinstance(record.args, tuple)
        if access and len(record.args) == 5:  # type: ignore[arg-type]
            client, method, path, _version, status = record.args  # type: ignore[misc]
            entry.update(client=client, method=method, path=path, status=status)
        actor = current_actor.get()
        if actor.request_id:
            entry["request_id"] = actor.request_id
        if actor.workflow_id:
            entry["workflow_id"] = actor.workflow_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def use_json_logs() -> None:
    """Every handler of the root logger, and uvicorn's (whose configuration is applied
    when a server is made), writes JSON lines."""
    formatter = JsonFormatter()
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
    # uvicorn.Config applies this dict by default when the API's server is made.
    for name in ("default", "access"):
        uvicorn.config.LOGGING_CONFIG["formatters"][name] = {"()": f"{__name__}.JsonFormatter"}
