"""Confirming the e-mail address (PROEFTUIN_VERIFY_EMAIL), against a real SMTP server:
a sign-up is mailed a link; until it is followed the account's input, endorsements and
questions are refused (403); the link opens a page that confirms it. Off (the embedded
default), nothing waits."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from service.settings import Settings
from tests.feedback import text_of
from tests.stack import eventually
from tests.web.conftest import add_challenge
from tests.web.pages import text_of as page_text

PUBLIC_URL = "http://proeftuin.city.example"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"public_url": PUBLIC_URL, "verify_email": True})


def test_on_in_production_mode_and_off_in_the_embedded_default(settings):
    embedded = settings.model_copy(update={"verify_email": None})
    assert embedded.mode == "embedded" and not embedded.verifies_email
    assert embedded.model_copy(update={"mode": "production"}).verifies_email
    assert not embedded.model_copy(
        update={"mode": "production", "verify_email": False}
    ).verifies_email
    assert Settings.model_fields["verify_email"].default is None


async def test_contributions_wait_until_the_address_is_confirmed(api, actors, sessions, smtp):
    smtp.start()
    city = await actors.city()
    challenge_id = await add_challenge(sessions, city.id, "Shade on the square")
    resident = await actors.resident("Noor")

    async def found():
        return smtp.to(resident.email)

    [mail] = await eventually(found, lambda mails: len(mails) == 1, timeout=10)
    assert mail["Subject"] == "Confirm your e-mail address for Proeftuin"
    [link] = re.findall(r"https?://\S+/verify-email\?token=\S+", text_of(mail))
    assert link.startswith(PUBLIC_URL)

    given = await api.post(
        f"/api/challenges/{challenge_id}/inputs",
        json={"body": "More trees, please"},
        headers=resident.headers,
    )
    assert given.status_code == 403
    assert "confirm your e-mail address" in given.json()["detail"]
    asked = await api.post(
        f"/api/challenges/{challenge_id}/questions",
        json={"body": "Is the fountain staying?"},
        headers=resident.headers,
    )
    assert asked.status_code == 403

    parts = urlsplit(link)
    confirmed = await api.get(f"{parts.path}?{parts.query}")
    assert confirmed.status_code == 200
    assert "Your e-mail address is confirmed" in page_text(confirmed.text)
    again = await api.get(f"{parts.path}?{parts.query}")
    assert "Your e-mail address is confirmed" in page_text(again.text)

    given = await api.post(
        f"/api/challenges/{challenge_id}/inputs",
        json={"body": "More trees, please"},
        headers=resident.headers,
    )
    assert given.status_code == 201, given.text
    bad = await api.get("/verify-email?token=1.2.nope")
    assert "This link no longer works" in page_text(bad.text)


async def test_accounts_the_city_makes_need_no_confirmation(api, actors, sessions, smtp):
    smtp.start()
    city = await actors.city()
    challenge_id = await add_challenge(sessions, city.id, "Benches in the park")
    asked = await api.post(
        f"/api/challenges/{challenge_id}/questions",
        json={"body": "Which park?"},
        headers=city.headers,
    )
    assert asked.status_code == 201, asked.text
