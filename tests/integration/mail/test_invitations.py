"""The city invites city staff and evaluators from its console, against a real SMTP
server: the invitation mail's link opens the page where the invited person chooses a
password and is signed in; the console lists every account and switches one off (it
can no longer sign in, and its tokens stop working at once) and on again."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.feedback import text_of
from tests.stack import eventually
from tests.web.pages import csrf_field, post_form, sign_in
from tests.web.pages import text_of as page_text

PUBLIC_URL = "http://proeftuin.city.example"  # plain HTTP: see test_password_reset.py
CHOSEN = "herons above the old harbour"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"public_url": PUBLIC_URL})


async def invitation_path(smtp, email: str) -> str:
    async def found():
        return smtp.to(email)

    [mail] = await eventually(found, lambda mails: len(mails) == 1, timeout=10)
    assert mail["Subject"] == "You are invited to Proeftuin"
    text = text_of(mail)
    assert "invites you to Proeftuin as an evaluator" in text and "7 days" in text
    [link] = re.findall(r"https?://\S+/invitation\?token=\S+", text)
    assert link.startswith(f"{PUBLIC_URL}/invitation?token=")
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def test_the_city_invites_an_evaluator_who_chooses_a_password(api, actors, smtp):
    smtp.start()
    city = await actors.city("Iris of the innovation office")
    await sign_in(api, city)
    invited = await post_form(
        api,
        "/city/accounts",
        "/city/accounts",
        {"display_name": "Sanne de Vries", "email": "Sanne@Example.org", "role": "evaluator"},
    )
    assert invited.status_code == 303 and invited.headers["location"] == "/city/accounts"
    listing = page_text((await api.get("/city/accounts")).text)
    assert "The invitation is on its way." in listing
    assert "Sanne de Vries sanne@example.org Evaluator Invited" in listing
    assert f"Iris of the innovation office {city.email} City staff Active" in listing
    # Nobody signs in to an invited account before the password is chosen.
    refused = await api.post("/api/auth/login", json={"email": "sanne@example.org", "password": ""})
    assert refused.status_code in (401, 422)

    path = await invitation_path(smtp, "sanne@example.org")
    api.cookies.clear()
    opened = await api.get(path)
    assert opened.status_code == 200
    assert "Welcome, Sanne de Vries." in page_text(opened.text)
    token = re.search(r'name="token" value="([^"]+)"', opened.text).group(1)
    chosen = await api.post(
        "/invitation",
        data={"token": token, "password": CHOSEN, "_csrf_token": csrf_field(opened.text)},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/evaluator"
    evaluator_page = await api.get("/evaluator")
    assert evaluator_page.status_code == 200
    assert "Your password is set. You are signed in." in page_text(evaluator_page.text)
    again = await api.get(path)
    assert "This link no longer works" in page_text(again.text)

    login = await api.post(
        "/api/auth/login", json={"email": "sanne@example.org", "password": CHOSEN}
    )
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await api.get("/api/me", headers=headers)).json()["role"] == "evaluator"

    # The city switches the account off: no sign-in, and its token stops at once.
    api.cookies.clear()
    await sign_in(api, city)
    listing = (await api.get("/city/accounts")).text
    assert "Sanne de Vries sanne@example.org Evaluator Active" in page_text(listing)
    [sanne_id] = re.findall(r'action="/city/accounts/(\d+)/deactivate"', listing)[-1:]
    off = await api.post(
        f"/city/accounts/{sanne_id}/deactivate",
        data={"_csrf_token": csrf_field(listing)},
        follow_redirects=False,
    )
    assert off.status_code == 303
    listing = (await api.get("/city/accounts")).text
    assert "Sanne de Vries sanne@example.org Evaluator Switched off" in page_text(listing)
    assert (await api.get("/api/me", headers=headers)).status_code == 401
    assert (
        await api.post("/api/auth/login", json={"email": "sanne@example.org", "password": CHOSEN})
    ).status_code == 401
    on = await api.post(
        f"/city/accounts/{sanne_id}/activate",
        data={"_csrf_token": csrf_field(listing)},
        follow_redirects=False,
    )
    assert on.status_code == 303
    assert (
        await api.post("/api/auth/login", json={"email": "sanne@example.org", "password": CHOSEN})
    ).status_code == 200


async def test_an_address_with_an_account_is_not_invited_again(api, actors, smtp):
    smtp.start()
    city = await actors.city()
    resident = await actors.resident()
    await sign_in(api, city)
    refused = await post_form(
        api,
        "/city/accounts",
        "/city/accounts",
        {"display_name": "Someone", "email": resident.email, "role": "city"},
    )
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    assert "already an account with this e-mail address" in page_text(refused.text)
    own = re.findall(r'action="/city/accounts/(\d+)/deactivate"', refused.text)
    assert str(city.id) not in own  # nobody switches off their own account
