"""Signing up, in and out in the browser: the API's account rules, post/redirect/get,
refused forms that keep what was typed, the session cookie and CSRF."""

from __future__ import annotations

import re

from service.auth.services import AccountService
from tests.actors import PASSWORD
from tests.web.pages import SESSION_COOKIE, csrf_field, post_form, sign_in, text_of

STRONG = "violet kettle harbour"


def field_tag(html: str, field_id: str) -> str:
    return re.search(rf'<input[^>]* id="{field_id}"[^>]*>', html).group(0)


async def test_registering_signs_you_in(api):
    response = await post_form(
        api,
        "/register",
        "/register",
        {"email": "ann@example.org", "password": STRONG, "role": "resident", "display_name": "Ann"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    ).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    me = await api.get("/me")
    assert me.status_code == 200
    assert "Signed in as Ann (ann@example.org), Resident." in text_of(me.text)
    assert me.headers["cache-control"] == "no-store"
    # The same account through the JSON API.
    login = await api.post("/api/auth/login", json={"email": "ann@example.org", "password": STRONG})
    assert login.status_code == 200


async def test_a_refused_sign_up_keeps_what_was_typed_and_marks_the_fields(api):
    typed = {"email": "not-an-address", "password": "short", "display_name": "Bob <b>"}
    response = await post_form(api, "/register", "/register", typed)
    assert response.status_code == 422
    html = response.text
    assert "<title>Error: Create an account" in html
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', html, re.S).group(0)
    for name in ("email", "password", "role"):
        assert f'href="#f-{name}"' in summary
    email = field_tag(html, "f-email")
    assert 'value="not-an-address"' in email and 'aria-invalid="true"' in email
    assert 'aria-describedby="f-email-hint f-email-error"' in email
    assert 'id="f-email-error"' in html
    password = field_tag(html, "f-password")
    assert "value=" not in password and 'aria-invalid="true"' in password
    assert 'value="Bob &lt;b&gt;"' in field_tag(html, "f-display_name")
    assert "Choose whether you sign up as a resident or as a startup." in html
    assert SESSION_COOKIE not in api.cookies


async def test_an_address_already_taken_is_not_said(api, actors):
    """Nothing on the page tells that the address has an account (its owner is mailed:
    tests/integration/mail/test_sign_up_known_address.py); nobody is signed in to it."""
    resident = await actors.resident()
    response = await post_form(
        api,
        "/register",
        "/register",
        {"email": resident.email, "password": STRONG, "role": "startup", "display_name": "B"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/me"
    login = await api.get(response.headers["location"])
    assert "Sign in with your e-mail address and password." in text_of(login.text)
    assert "already" not in text_of(login.text)
    me = await api.get("/me", follow_redirects=False)
    assert me.status_code in (302, 303) and me.headers["location"].startswith("/login")


async def test_signing_in_and_out(api, actors):
    resident = await actors.resident()
    wrong = await post_form(
        api, "/login", "/login", {"email": resident.email, "password": "not it at all"}
    )
    assert wrong.status_code == 422
    assert f'value="{resident.email}"' in field_tag(wrong.text, "f-email")
    assert 'aria-invalid="true"' in field_tag(wrong.text, "f-password")
    assert "The e-mail address or the password is not right." in wrong.text

    right = await post_form(
        api, "/login?next=/challenges/1", "/login",
        {"email": resident.email, "password": PASSWORD, "next": "/challenges/1"},
    )  # fmt: skip
    assert right.status_code == 303 and right.headers["location"] == "/challenges/1"
    assert (await api.get("/me")).status_code == 200
    nav = text_of((await api.get("/")).text)
    assert "My page" in nav and "Sign out" in nav and "Sign in" not in nav

    out = await post_form(api, "/me", "/logout", {})
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert "You are signed out." in (await api.get("/")).text
    again = await api.get("/me", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/login?next=%2Fme"


async def test_only_a_path_of_this_site_is_followed_after_sign_in(api, actors):
    resident = await actors.resident()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        api.cookies.clear()
        response = await post_form(
            api, "/login", "/login",
            {"email": resident.email, "password": PASSWORD, "next": target},
        )  # fmt: skip
        assert response.headers["location"] == "/me", target


async def test_every_page_post_needs_the_csrf_token(api, actors):
    resident = await actors.resident()
    posts = {
        "/login": {"email": resident.email, "password": PASSWORD},
        "/register": {"email": "x@example.org", "password": STRONG, "role": "resident"},
        "/logout": {},
        "/me/email-preference": {"email_preference": "none"},
        "/challenges/1/inputs": {"body": "hello"},
    }
    await api.get("/login")  # the browser holds the CSRF cookie, but the form has no token
    for path, data in posts.items():
        response = await api.post(path, data=data, follow_redirects=False)
        assert response.status_code == 403, path
    assert SESSION_COOKIE not in api.cookies


async def test_the_api_does_not_take_the_session_cookie(api, actors):
    resident = await actors.resident()
    await sign_in(api, resident)
    assert (await api.get("/me")).status_code == 200
    assert (await api.get("/api/me")).status_code == 401
    assert (await api.get("/api/me", headers=resident.headers)).status_code == 200


async def test_a_disabled_account_is_signed_out_at_once(api, actors, sessions):
    resident = await actors.resident()
    await sign_in(api, resident)
    async with sessions() as session:
        assert await AccountService(session).set_active(resident.email, False)
    response = await api.get("/me", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_password_guessing_is_throttled_as_in_the_api(api, actors, settings):
    resident = await actors.resident()
    page = await api.get("/login")
    token = csrf_field(page.text)
    statuses = []
    for _ in range(settings.login_failures_per_email + 1):
        response = await api.post(
            "/login",
            data={"email": resident.email, "password": "wrong guess", "_csrf_token": token},
        )
        statuses.append(response.status_code)
    assert statuses[-1] == 429, statuses
    assert "Too many attempts from here" in response.text


async def test_the_email_preference_form(api, actors):
    resident = await actors.resident()
    await sign_in(api, resident)
    bad = await post_form(api, "/me", "/me/email-preference", {"email_preference": "hourly"})
    assert bad.status_code == 422 and 'href="#f-email_preference"' in bad.text
    saved = await post_form(api, "/me", "/me/email-preference", {"email_preference": "daily"})
    assert saved.status_code == 303 and saved.headers["location"] == "/me#email"
    page = await api.get("/me")
    assert "Your e-mail choice is saved." in page.text
    assert re.search(r'value="daily"\s+checked', page.text)
    preference = await api.get("/api/me/email-preference", headers=resident.headers)
    assert preference.json()["email_preference"] == "daily"


async def test_where_addresses_are_confirmed_a_known_address_gets_the_new_ones_answer(
    settings, sessions
):
    """With PROEFTUIN_VERIFY_EMAIL (on in production mode) the sign-up page answers a
    new address and one that has an account alike: the same redirect and the same words,
    nobody signed in; the first gets its confirmation mail, the other's owner a warning."""
    from litestar.testing import AsyncTestClient
    from sqlmodel import select

    from service.app import create_app
    from service.auth.models import User

    app = create_app(settings.model_copy(update={"verify_email": True}))
    async with AsyncTestClient(app=app) as first:
        made = await post_form(first, "/register", "/register", _sign_up("known@example.org"))
        assert made.status_code == 303
    answers = []
    for email in ("known@example.org", "new@example.org"):
        async with AsyncTestClient(app=app) as client:
            response = await post_form(client, "/register", "/register", _sign_up(email))
            landed = await client.get(response.headers["location"])
            answers.append((response.status_code, response.headers["location"], landed.text))
            nobody = await client.get("/me", follow_redirects=False)
            assert nobody.status_code == 303 and nobody.headers["location"].startswith("/login")
    assert answers[0][:2] == answers[1][:2] == (303, "/login?next=/me")
    said = [text_of(html) for *_, html in answers]
    assert "We have sent a mail to this address. Follow its link, then sign in." in said[0]
    assert said[0] == said[1]
    async with sessions() as session:
        emails = (await session.exec(select(User.email))).all()
    assert sorted(emails) == ["known@example.org", "new@example.org"]


def _sign_up(email: str) -> dict[str, str]:
    return {"email": email, "password": STRONG, "role": "resident", "display_name": "Someone"}
