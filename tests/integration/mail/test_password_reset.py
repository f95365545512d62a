"""Password reset by e-mail link, against a real SMTP server: the same answer for every
address, one mail for an account (none otherwise), a link that opens the page where the
new password is chosen, works once and expires, and ends the sign-ins made before."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from schemas.accounts import RESET_REQUESTED
from service.auth.links import PASSWORD_RESET, account_link_token
from service.auth.models import User
from service.auth.services import AccountService
from service.clock import utcnow
from tests.actors import PASSWORD
from tests.feedback import html_of, text_of
from tests.stack import eventually
from tests.web.pages import SESSION_COOKIE, csrf_field
from tests.web.pages import text_of as page_text

NEW_PASSWORD = "lanterns along the quiet canal"
# Over plain HTTP, as the test client talks: an https address makes the CSRF cookie
# Secure, and the client would not send it back with a form.
PUBLIC_URL = "http://proeftuin.city.example"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"password_resets_per_email": 2, "public_url": PUBLIC_URL})


async def ask_reset(api, email: str, **headers: str):
    return await api.post("/api/auth/password-reset", json={"email": email}, headers=headers)


async def mails_to(smtp, email: str, count: int = 1):
    return await eventually(
        lambda: _messages(smtp, email), lambda found: len(found) >= count, timeout=10
    )


async def _messages(smtp, email):
    return smtp.to(email)


def link_in(message) -> str:
    [link] = re.findall(r"https?://\S+/password-reset/new\?token=\S+", text_of(message))
    return link


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def test_a_resident_resets_a_forgotten_password_from_the_mail(api, actors, smtp):
    smtp.start()
    resident = await actors.resident("Fatima")

    known = await ask_reset(api, resident.email.upper())
    unknown = await ask_reset(api, "nobody@example.org")
    # The same answer: nothing tells whether the address has an account.
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json() == {"detail": RESET_REQUESTED}

    [mail] = await mails_to(smtp, resident.email)
    assert mail["Subject"] == "Choose a new password for Proeftuin"
    assert mail["To"].addresses[0].display_name == "Fatima"
    assert "List-Unsubscribe" not in mail
    link = link_in(mail)
    assert link.startswith(f"{PUBLIC_URL}/password-reset/new?token=")
    assert f'href="{link}"' in html_of(mail).replace("&amp;", "&")
    assert "Hello Fatima," in text_of(mail) and "60 minutes" in text_of(mail)
    assert [m for m in smtp.messages if "nobody@example.org" in str(m["To"])] == []

    # The link opens the page where the new password is chosen.
    opened = await api.get(path_of(link))
    assert opened.status_code == 200
    assert "Choose a new password" in page_text(opened.text)
    assert resident.email in page_text(opened.text)
    token = re.search(r'name="token" value="([^"]+)"', opened.text).group(1)
    # The policy applies: a guessable password is refused, and the link still works.
    weak = await api.post(
        "/password-reset/new",
        data={"token": token, "password": "password12", "_csrf_token": csrf_field(opened.text)},
        follow_redirects=False,
    )
    assert weak.status_code == 422
    assert "too easy to guess" in page_text(weak.text)
    chosen = await api.post(
        "/password-reset/new",
        data={"token": token, "password": NEW_PASSWORD, "_csrf_token": csrf_field(weak.text)},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/me"
    assert SESSION_COOKIE in api.cookies
    me = await api.get("/me")
    assert "Your new password is set. You are signed in." in page_text(me.text)

    # The new password signs in, the old no longer; the token from before has ended.
    old = await api.post("/api/auth/login", json={"email": resident.email, "password": PASSWORD})
    assert old.status_code == 401
    new = await api.post(
        "/api/auth/login", json={"email": resident.email, "password": NEW_PASSWORD}
    )
    assert new.status_code == 200
    assert (await api.get("/api/me", headers=resident.headers)).status_code == 401
    fresh = {"Authorization": f"Bearer {new.json()['access_token']}"}
    assert (await api.get("/api/me", headers=fresh)).status_code == 200

    # The link works once.
    again = await api.get(path_of(link))
    assert "This link no longer works" in page_text(again.text)


async def test_the_api_sets_the_password_with_the_token_once(api, actors, smtp):
    smtp.start()
    startup = await actors.startup()
    assert (
        await ask_reset(api, startup.email, **{"accept-language": "nl-NL,nl;q=0.9"})
    ).status_code == 202
    [mail] = await mails_to(smtp, startup.email)
    assert mail["Subject"] == "Kies een nieuw wachtwoord voor Proeftuin"
    assert "De link werkt één keer, 60 minuten lang." in text_of(mail)
    token = urlsplit(link_in(mail)).query.removeprefix("token=")

    confirm = "/api/auth/password-reset/confirm"
    weak = await api.post(confirm, json={"token": token, "password": startup.email})
    assert weak.status_code == 422
    assert [e["key"] for e in weak.json()["extra"]] == ["password"]
    wrong = await api.post(confirm, json={"token": token[:-2] + "xx", "password": NEW_PASSWORD})
    assert wrong.status_code == 422
    assert [e["key"] for e in wrong.json()["extra"]] == ["token"]

    done = await api.post(confirm, json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    headers = {"Authorization": f"Bearer {done.json()['access_token']}"}
    assert (await api.get("/api/me", headers=headers)).json()["email"] == startup.email
    used = await api.post(confirm, json={"token": token, "password": "another long passphrase"})
    assert used.status_code == 422
    assert [e["key"] for e in used.json()["extra"]] == ["token"]


async def test_an_expired_link_and_a_switched_off_account_get_nothing(
    api, actors, sessions, settings, smtp
):
    smtp.start()
    resident = await actors.resident()
    async with sessions() as session:
        user = await session.get(User, resident.id)
        expired = account_link_token(
            settings.signing_secret(),
            PASSWORD_RESET,
            resident.id,
            user.password_hash,
            utcnow() - timedelta(seconds=1),
        )
    answer = await api.post(
        "/api/auth/password-reset/confirm", json={"token": expired, "password": NEW_PASSWORD}
    )
    assert answer.status_code == 422
    page = await api.get(f"/password-reset/new?token={expired}")
    assert page.status_code == 200 and "This link no longer works" in page_text(page.text)

    async with sessions() as session:
        assert await AccountService(session).set_active(resident.email, False)
    assert (await ask_reset(api, resident.email)).status_code == 202
    other = await actors.resident()
    await ask_reset(api, other.email)
    await mails_to(smtp, other.email)  # mail that was sent has arrived by now
    assert smtp.to(resident.email) == []


async def test_resets_are_limited_per_address_alike_for_unknown_ones(api, actors, smtp):
    smtp.start()
    resident = await actors.resident()
    for email in (resident.email, "nobody@example.org"):
        for _ in range(2):
            assert (await ask_reset(api, email)).status_code == 202
        refused = await ask_reset(api, email)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
    assert len(await mails_to(smtp, resident.email, 2)) == 2


async def test_the_forgot_password_page_answers_alike_for_every_address(api, actors, smtp):
    smtp.start()
    resident = await actors.resident()
    login = await api.get("/login")
    assert 'href="/password-reset"' in login.text
    answers = []
    for email in (resident.email, "nobody@example.org"):
        form = await api.get("/password-reset")
        answer = await api.post(
            "/password-reset",
            data={"email": email, "_csrf_token": csrf_field(form.text)},
            follow_redirects=False,
        )
        answers.append((answer.status_code, answer.headers["location"]))
    assert answers == [(303, "/password-reset/sent")] * 2
    sent = await api.get("/password-reset/sent")
    assert "a link to choose a new password is on its way" in page_text(sent.text)
    [mail] = await mails_to(smtp, resident.email)
    assert link_in(mail)
    form = await api.get("/password-reset")
    refused = await api.post(
        "/password-reset",
        data={"email": "not-an-address", "_csrf_token": csrf_field(form.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
