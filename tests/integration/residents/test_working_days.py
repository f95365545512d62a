"""The response target counts the city's working days: its public holidays are not
working days, and its days end at midnight in its own time zone."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from service.residents.rules import WorkingCalendar, respond_by
from service.settings import Settings
from tests.builders import open_challenge
from tests.feedback import give_input

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"time_zone": "Europe/Amsterdam", "public_holidays": "NL"})


async def test_the_target_is_counted_on_the_city_s_calendar(api, actors, worker):
    city, resident = await actors.city(), await actors.resident()
    challenge = await open_challenge(api, city, response_target_working_days=40)
    given = await give_input(api, resident, challenge["id"], "Shade on the Marktplein, please.")

    created = datetime.fromisoformat(given["created_at"])
    due = datetime.fromisoformat(given["respond_by"])
    # The arithmetic is checked by hand in tests/unit; here: the API counts on the
    # configured calendar, and the day ends at midnight in Amsterdam, not in UTC.
    assert due == respond_by(created, 40, WorkingCalendar.of("Europe/Amsterdam", "NL"))
    assert due.astimezone(AMSTERDAM).time() == time(0)
    assert due.astimezone(ZoneInfo("UTC")).time() != time(0)
