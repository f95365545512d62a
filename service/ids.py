"""Record ids from outside, written in tokens, links and cursors. A number the database
cannot hold names no record, and is never sent to the database (PostgreSQL and SQLite
would refuse it with an error, a 500). The same checks on request paths and query
parameters are the HTTP side's: ``service/http/ids.py``."""

from __future__ import annotations

import re

from schemas.common import DB_INT_MAX

# How this API writes an id: ASCII digits, no sign, no leading zero, no spaces or
# underscores (which int() would take), no other scripts' digits (int() takes '٣').
_WRITTEN_ID = re.compile(r"[1-9][0-9]{0,9}")


def read_record_id(text: str) -> int | None:
    """The record id ``text`` writes (as in a token's subject, a link or a cursor), or
    None if it is not one: not plain ASCII digits, zero, or past the database's range."""
    if not _WRITTEN_ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= DB_INT_MAX else None
