"""CSRF protection of the HTML form (the unsubscribe page): a POST needs the token the
page set in its cookie and its form; mail providers' one-click unsubscribe (RFC 8058)
needs no cookie; the bearer-token JSON API needs no CSRF token."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from service.app import create_app
from service.notifications.tokens import unsubscribe_token

COOKIE = "proeftuin_csrf"


def form_token(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


async def preference(api, account) -> str:
    response = await api.get("/api/me/email-preference", headers=account.headers)
    return response.json()["email_preference"]


async def test_the_form_works_with_the_pages_token(api, actors, settings):
    resident = await actors.resident()
    link = f"/api/unsubscribe?token={unsubscribe_token(settings.signing_secret(), resident.id)}"
    page = await api.get(link)
    assert page.status_code == 200
    cookie = page.cookies[COOKIE]
    assert "httponly" in page.headers["set-cookie"].lower()
    assert "samesite=strict" in page.headers["set-cookie"].lower()
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    assert action.startswith("/api/unsubscribe/confirm?token=")

    api.cookies.clear()
    api.cookies.set(COOKIE, cookie)  # what the browser sends back
    done = await api.post(action.replace("&amp;", "&"), data={"_csrf_token": form_token(page.text)})
    assert done.status_code == 200, done.text
    assert "text/html" in done.headers["content-type"]
    assert "gets no more e-mail" in done.text
    assert await preference(api, resident) == "none"


async def test_a_forged_form_post_is_refused(actors, settings):
    resident = await actors.resident()
    token = unsubscribe_token(settings.signing_secret(), resident.id)
    confirm = f"/api/unsubscribe/confirm?token={token}"
    # A fresh client per attempt: no cookie jar carries a token from one to the next.
    async with AsyncTestClient(app=create_app(settings)) as victim:
        page = await victim.get(f"/api/unsubscribe?token={token}")
        real_cookie, real_field = page.cookies[COOKIE], form_token(page.text)
    async with AsyncTestClient(app=create_app(settings)) as other:
        other_page = await other.get(f"/api/unsubscribe?token={token}")
        other_cookie = other_page.cookies[COOKIE]

    attempts = {  # what: (cookie sent, form field sent)
        "no token at all": (None, None),
        "the field without the cookie (a cross-site form)": (None, real_field),
        "the cookie without the field": (real_cookie, None),
        "someone else's cookie": (other_cookie, real_field),
        "a made-up token": ("0" * 128, "0" * 128),
    }
    for what, (cookie, field) in attempts.items():
        async with AsyncTestClient(app=create_app(settings)) as attacker:
            if cookie:
                attacker.cookies.set(COOKIE, cookie)
            data = {"_csrf_token": field} if field else None
            response = await attacker.post(confirm, data=data)
            assert response.status_code == 403, f"{what}: {response.status_code}"
            me = await attacker.get("/api/me/email-preference", headers=resident.headers)
            assert me.json()["email_preference"] == "immediate", what


async def test_one_click_unsubscribe_needs_no_cookie(api, actors, settings):
    resident = await actors.resident()
    token = unsubscribe_token(settings.signing_secret(), resident.id)
    api.cookies.clear()
    # What a mail provider sends (RFC 8058): a form body, no cookies, no CSRF token.
    response = await api.post(
        f"/api/unsubscribe?token={token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    assert await preference(api, resident) == "none"


async def test_the_json_api_needs_no_csrf_token(api, actors):
    resident = await actors.resident()
    api.cookies.clear()
    response = await api.put(
        "/api/me/email-preference",
        json={"email_preference": "daily"},
        headers=resident.headers,
    )
    assert response.status_code == 200, response.text
    assert COOKIE not in response.cookies
