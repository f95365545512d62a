"""Helpers for page tests: a browser-like client's CSRF token, forms, and signing in."""

from __future__ import annotations

import re
from html import unescape

from litestar.testing import AsyncTestClient

from tests.actors import PASSWORD, Account

CSRF_COOKIE = "proeftuin_csrf"
SESSION_COOKIE = "proeftuin_session"


def csrf_field(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


async def post_form(client: AsyncTestClient, page_path: str, action: str, data: dict[str, str]):
    """Open ``page_path`` (as a browser would, getting its CSRF cookie and field) and
    post ``data`` to ``action`` with the page's token; redirects are not followed."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(
        action, data={**data, "_csrf_token": csrf_field(page.text)}, follow_redirects=False
    )


async def sign_in(client: AsyncTestClient, account: Account, password: str = PASSWORD) -> None:
    response = await post_form(
        client, "/login", "/login", {"email": account.email, "password": password}
    )
    assert response.status_code == 303, response.text
    assert SESSION_COOKIE in client.cookies


def text_of(html: str) -> str:
    """The page's text, tags dropped and white space folded, for assertions."""
    without_tags = re.sub(r"<[^>]+>", " ", html)
    return " ".join(unescape(without_tags).split())
