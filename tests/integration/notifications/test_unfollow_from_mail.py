"""The page behind a mail's unsubscribe link also lets a resident stop following one
challenge, without signing in, and keep the rest of their e-mail."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from service.app import create_app
from service.notifications.tokens import unsubscribe_token
from tests.builders import open_challenge
from tests.security.test_csrf import COOKIE, form_token


def unfollow_forms(html: str) -> dict[str, str]:
    """Each followed challenge's title on the page, with its form's action."""
    forms = re.findall(
        r'<form method="post" action="([^"]+/unfollow/[^"]+)">\s*(.*?)\s*<input', html, re.S
    )
    return {title: action.replace("&amp;", "&") for action, title in forms}


async def following(api, resident) -> list[int]:
    response = await api.get("/api/me/follows", headers=resident.headers)
    return [f["challenge_id"] for f in response.json()["items"]]


async def test_a_resident_stops_following_one_challenge_from_the_mail_link(
    api, actors, settings, worker
):
    city, resident = await actors.city(), await actors.resident()
    shade = await open_challenge(api, city, title="Shade <b>on</b> the Marktplein")
    water = await open_challenge(api, city, title="Water on the Vismarkt")
    for challenge in (shade, water):
        followed = await api.post(
            f"/api/challenges/{challenge['id']}/follow", headers=resident.headers
        )
        assert followed.status_code in (200, 201), followed.text

    link = f"/api/unsubscribe?token={unsubscribe_token(settings.signing_secret(), resident.id)}"
    page = await api.get(link)
    assert page.status_code == 200
    forms = unfollow_forms(page.text)
    # Titles are shown as text, never as markup.
    assert set(forms) == {"Shade &lt;b&gt;on&lt;/b&gt; the Marktplein", "Water on the Vismarkt"}

    api.cookies.clear()
    api.cookies.set(COOKIE, page.cookies[COOKIE])
    done = await api.post(
        forms["Water on the Vismarkt"], data={"_csrf_token": form_token(page.text)}
    )
    assert done.status_code == 200, done.text
    assert "you no longer follow “Water on the Vismarkt”" in done.text
    assert set(unfollow_forms(done.text)) == {"Shade &lt;b&gt;on&lt;/b&gt; the Marktplein"}

    assert await following(api, resident) == [shade["id"]]
    preference = await api.get("/api/me/email-preference", headers=resident.headers)
    assert preference.json()["email_preference"] == "immediate"  # the rest of the mail stays


async def test_stopping_to_follow_needs_the_page_s_token_and_a_valid_link(
    api, actors, settings, worker
):
    city, resident = await actors.city(), await actors.resident()
    challenge = await open_challenge(api, city)
    await api.post(f"/api/challenges/{challenge['id']}/follow", headers=resident.headers)
    token = unsubscribe_token(settings.signing_secret(), resident.id)
    action = f"/api/unsubscribe/unfollow/{challenge['id']}?token={token}"

    async with AsyncTestClient(app=create_app(settings)) as attacker:
        forged = await attacker.post(action, data={"_csrf_token": "0" * 64})
        assert forged.status_code == 403
    assert await following(api, resident) == [challenge["id"]]

    page = await api.get(f"/api/unsubscribe?token={token}")
    csrf = {"_csrf_token": form_token(page.text)}
    bad_link = await api.post(f"/api/unsubscribe/unfollow/{challenge['id']}?token=1.x", data=csrf)
    assert bad_link.status_code == 404
    unknown = await api.post(f"/api/unsubscribe/unfollow/999999?token={token}", data=csrf)
    assert unknown.status_code == 404
    assert await following(api, resident) == [challenge["id"]]
