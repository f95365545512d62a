"""Keep secrets that travel in URLs out of the logs.

The unsubscribe link in every mail carries a signed token in its query string, and an
access log line names the whole URL; anyone who reads the logs could unsubscribe
people. This filter replaces the value of such query parameters in every log record
it sees (uvicorn's access log is given it at start).
"""

from __future__ import annotations

import logging
import re

SECRET_PARAMETERS = ("token", "access_token", "refresh_token", "password")
_SECRET_IN_QUERY = re.compile(
    r"(?P<name>[?&](?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&\s\"']+", re.IGNORECASE
)
REDACTED = "[redacted]"


def redact_url_secrets(text: str) -> str:
    return _SECRET_IN_QUERY.sub(rf"\g<name>{REDACTED}", text)


class RedactUrlSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_url_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url_secrets(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def redact_access_logs(logger_name: str = "uvicorn.access") -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactUrlSecrets) for f in logger.filters):
        logger.addFilter(RedactUrlSecrets())
