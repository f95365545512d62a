"""Pure rules of the feedback loop: the response target in working days, the hour of
the daily round, unsubscribe tokens, and mail that shows people's words as text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.notifications.compose import MailItem, Recipient, notification_mail
from service.notifications.tokens import read_unsubscribe_token, unsubscribe_token
from service.residents.rules import WorkingCalendar, respond_by, working_calendar
from service.settings import Settings
from workflows.daily_round import next_round


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Monday morning, 10 working days: by the end of Monday two weeks later.
        ("2026-11-23T09:00", 10, "2026-12-08T00:00"),
        # Friday evening, 1 working day: by the end of Monday.
        ("2026-11-27T22:00", 1, "2026-12-01T00:00"),
        # Saturday and Sunday count from the Monday after.
        ("2026-11-28T10:00", 1, "2026-12-01T00:00"),
        ("2026-11-29T23:59", 5, "2026-12-05T00:00"),
    ],
)
def test_the_response_target_counts_working_days(received, days, due):
    moment = datetime.fromisoformat(received).replace(tzinfo=UTC)
    assert respond_by(moment, days) == datetime.fromisoformat(due).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Friday, 2 working days in Amsterdam: Monday, then King's Day (Tuesday 27 April
        # 2027) is no working day, so by the end of Wednesday, Amsterdam time (CEST).
        ("2027-04-23T12:00", 2, "2027-04-28T22:00"),
        # Christmas week 2026: Friday 25 and Saturday 26 December are holidays; one
        # working day after Thursday 24 is Monday 28, ending 23:00 UTC (CET).
        ("2026-12-24T09:00", 1, "2026-12-28T23:00"),
        # 23:30 UTC on Sunday is already Monday in Amsterdam: counting starts Tuesday.
        ("2026-11-29T23:30", 1, "2026-12-01T23:00"),
    ],
)
def test_holidays_and_the_city_s_time_zone_shape_the_target(received, days, due):
    calendar = WorkingCalendar.of("Europe/Amsterdam", "NL")
    moment = datetime.fromisoformat(received).replace(tzinfo=UTC)
    assert respond_by(moment, days, calendar) == datetime.fromisoformat(due).replace(tzinfo=UTC)


def test_the_calendar_comes_from_the_settings():
    calendar = working_calendar(Settings(time_zone="Europe/Berlin", public_holidays="de-by"))
    assert not calendar.is_working_day(datetime(2027, 1, 6).date())  # Epiphany in Bavaria
    assert working_calendar(Settings(public_holidays="DE")).is_working_day(
        datetime(2027, 1, 6).date()
    )
    assert working_calendar(Settings()).holidays is None


def test_the_daily_round_is_the_next_set_hour():
    at = datetime(2026, 11, 24, 6, 59, 59, tzinfo=UTC)
    assert next_round(at, 7) == datetime(2026, 11, 24, 7, tzinfo=UTC)
    assert next_round(datetime(2026, 11, 24, 7, tzinfo=UTC), 7) == datetime(
        2026, 11, 25, 7, tzinfo=UTC
    )


def test_unsubscribe_tokens_are_signed_per_account():
    token = unsubscribe_token("s" * 40, 42)
    assert read_unsubscribe_token("s" * 40, token) == 42
    assert read_unsubscribe_token("t" * 40, token) is None
    forged = "43." + token.split(".", 1)[1]
    assert read_unsubscribe_token("s" * 40, forged) is None
    assert read_unsubscribe_token("s" * 40, "nonsense") is None


def test_mail_shows_what_people_wrote_as_text_and_keeps_headers_on_one_line(tmp_path):
    settings = Settings(data_dir=tmp_path, jwt_secret="x" * 40, public_url="https://p.example")
    message = notification_mail(
        settings,
        "notification-1",
        Recipient(
            user_id=1, email="anne@example.org", display_name="Anne <b>", preference="immediate"
        ),
        MailItem(
            title="Answer\nBcc: victim@example.org",
            body='<a href="https://evil.example">click</a>',
            url="https://p.example/api/inputs/1",
        ),
        datetime(2026, 11, 24, tzinfo=UTC),
    )
    assert message["Subject"] == "Answer Bcc: victim@example.org"
    assert message["Bcc"] is None
    html = message.get_body(("html",)).get_content()
    assert "&lt;a href=&#34;https://evil.example&#34;&gt;click&lt;/a&gt;" in html
    assert "Anne &lt;b&gt;" in html and '<a href="https://evil' not in html
    assert message["List-Unsubscribe"].startswith("<https://p.example/api/unsubscribe?token=1.")
