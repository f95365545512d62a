"""Pure rules of the residents domain: the city's working days and the response target
for resident input, counted in them.

The calendar is built from two plain settings (``PROEFTUIN_TIME_ZONE``,
``PROEFTUIN_PUBLIC_HOLIDAYS``), which the settings validate; the rule of what a working
day is lives here, not in the settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays

if TYPE_CHECKING:
    from service.settings import Settings

WEEKEND = (5, 6)


@cache
def public_holidays(calendar: str) -> holidays.HolidayBase:
    """The public holidays of ``calendar``: a country code, optionally with a
    subdivision ("NL", "DE-BY", "US-CA"). Raises ValueError for one we do not know."""
    country, _, subdivision = calendar.strip().upper().partition("-")
    try:
        return holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError as exc:
        raise ValueError(f"{calendar!r} is not a known holiday calendar ({exc})") from None


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days the city's office works, and where its days begin and end.

    Monday to Friday, less the public holidays of the city's country or region when
    they are configured; days run midnight to midnight in the city's time zone.
    """

    time_zone: tzinfo = UTC
    holidays: holidays.HolidayBase | None = field(default=None, compare=False)

    @classmethod
    @cache
    def of(cls, time_zone: str = "UTC", holiday_calendar: str | None = None) -> WorkingCalendar:
        """The calendar of these settings, built once per process (every input asks)."""
        return cls(
            time_zone=ZoneInfo(time_zone),
            holidays=public_holidays(holiday_calendar) if holiday_calendar else None,
        )

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in WEEKEND and (self.holidays is None or day not in self.holidays)


def working_calendar(settings: Settings) -> WorkingCalendar:
    """The city's calendar from its settings, built once per pair of values."""
    return WorkingCalendar.of(settings.time_zone, settings.public_holidays)


def respond_by(
    received_at: datetime, working_days: int, calendar: WorkingCalendar | None = None
) -> datetime:
    """The end of the ``working_days``-th working day after the day the input came in:
    what "answered within 10 working days" means, as an instant in UTC."""
    calendar = calendar or WorkingCalendar()
    day = received_at.astimezone(calendar.time_zone).date()
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=calendar.time_zone)
    return end.astimezone(UTC)
