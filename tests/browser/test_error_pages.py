"""The error pages in a real browser: an unknown address (in Dutch, at phone width) and
a page for another role, each with axe-core finding no WCAG 2.1 A/AA violation and a
link that leads home."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from axe_playwright_python.async_playwright import Axe

from tests.actors import PASSWORD
from tests.browser.conftest import DESKTOP, PHONE, WCAG
from tests.security.served import ThreadedApi

_axe = Axe()


async def no_violations(page: Any, name: str, viewport: dict[str, int]) -> None:
    results = await _axe.run(page, options=WCAG)
    assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{name} scrolls sideways at {viewport['width']} px"


async def test_an_unknown_address_in_dutch_on_a_phone(
    chromium: Any, served_without_temporal: ThreadedApi, screenshots: Path
) -> None:
    context = await chromium.new_context(viewport=PHONE, locale="nl-NL")
    page = await context.new_page()
    try:
        response = await page.goto(served_without_temporal.base_url + "/challenges/999999/nope")
        assert response is not None and response.status == 404
        assert await page.get_attribute("html", "lang") == "nl"
        await page.get_by_role("heading", name="Pagina niet gevonden").wait_for()
        await no_violations(page, "404 (nl, phone)", PHONE)
        await page.screenshot(path=str(screenshots / "error-404-phone-nl.png"), full_page=True)
        await page.get_by_role("main").get_by_role("link", name="Bekijk alle uitdagingen").click()
        await page.wait_for_url(served_without_temporal.base_url + "/")
    finally:
        await context.close()


async def test_a_page_for_another_role(
    chromium: Any, served_without_temporal: ThreadedApi, screenshots: Path
) -> None:
    base_url = served_without_temporal.base_url
    async with httpx.AsyncClient(base_url=base_url) as client:
        registered = await client.post(
            "/api/auth/register",
            json={
                "email": "noor@example.org",
                "password": PASSWORD,
                "role": "resident",
                "display_name": "Noor",
            },
        )
        assert registered.status_code == 201, registered.text
    context = await chromium.new_context(viewport=DESKTOP, locale="en-GB")
    page = await context.new_page()
    try:
        await page.goto(base_url + "/city")  # sent to sign in, then back
        await page.get_by_label("E-mail address").fill("noor@example.org")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("main").get_by_role("button", name="Sign in").click()
        await page.wait_for_url(base_url + "/city")
        main = page.get_by_role("main")
        await main.get_by_role("heading", name="You cannot open this page").wait_for()
        text = await main.inner_text()
        assert "This page is only for these accounts: City staff." in text
        assert "You are signed in as Noor (Resident)." in text
        await no_violations(page, "403 (en, desktop)", DESKTOP)
        await page.screenshot(path=str(screenshots / "error-403-desktop-en.png"), full_page=True)
        await main.get_by_role("link", name="Go to your own page").click()
        await page.wait_for_url(base_url + "/me")
    finally:
        await context.close()
