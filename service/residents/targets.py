"""The city's response target for resident input, in working days."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

WEEKEND = (5, 6)


def respond_by(received_at: datetime, working_days: int) -> datetime:
    """The end of the ``working_days``-th working day (Monday to Friday, in UTC) after
    the day the input came in: what "answered within 10 working days" means.

    Public holidays are not known here; they count as working days.
    """
    day = received_at.astimezone(UTC).date()
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if day.weekday() not in WEEKEND:
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
