"""The city console in a real browser: the city signs in, drafts a challenge with the
live check of its weights, is refused a sum that is not 100, publishes after checking
its answers, and finds it on the dashboard and on the public page. axe-core on every
page visited, at desktop width and at 375 px; screenshots in docs/screenshots/."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from schemas.common import ChallengePhase
from tests.actors import PASSWORD, Actors
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_public_pages import PROBLEM, TEST_BED, check_page
from tests.web.conftest import add_challenge

SHOTS = {"dashboard", "draft-error", "publish", "challenge"}


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
async def test_the_city_drafts_checks_and_publishes_a_challenge(
    served, chromium, browser_sessions, browser_settings, screenshots: Path, viewport_name: str
) -> None:
    viewport = DESKTOP if viewport_name == "desktop" else PHONE
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
        city = await Actors(client, browser_sessions).city(f"Innovation office {viewport_name}")  # type: ignore[arg-type]
    # Something waiting on the dashboard beside the new challenge: a shortlist to approve.
    await add_challenge(
        browser_sessions, city.id, f"Quieter nights on the Wallen ({viewport_name})",
        phase=ChallengePhase.SELECTION,
    )  # fmt: skip
    title = f"Cooler streets in Zuid ({viewport_name})"
    zone = ZoneInfo(browser_settings.time_zone)
    closes = (datetime.now(zone) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    review = (datetime.now(zone) + timedelta(days=50)).strftime("%Y-%m-%dT%H:%M")

    async def check(name: str) -> None:
        shoot = screenshots if name in SHOTS else None
        await check_page(page, f"city-{name}-{viewport_name}", viewport, shoot)

    context = await chromium.new_context(
        viewport=viewport, base_url=served.base_url, locale="en-GB"
    )
    page = await context.new_page()
    try:
        await page.goto("/login?next=/city")
        await page.fill("#f-email", city.email)
        await page.fill("#f-password", PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_url("**/city")
        assert await page.text_content("h1") == "City console"
        await check("dashboard-before")

        await page.click("text=Create a challenge")
        await page.wait_for_url("**/city/challenges/new")
        await page.fill("#f-title", title)
        await page.fill("#f-problem_statement", PROBLEM)
        await page.fill("#f-test_bed", TEST_BED)
        await page.fill("#f-pilot_budget_cap_eur", "50000")
        await page.fill("#f-max_pilots", "2")
        await page.fill("#f-criteria-0-name", "Cooling")
        await page.fill("#f-criteria-0-description", "Degrees cooler on a hot afternoon")
        await page.fill("#f-criteria-0-weight", "50")
        await page.fill("#f-criteria-1-name", "Residents like it")
        await page.fill("#f-criteria-1-weight", "30")
        total = page.locator("[data-weight-total]")
        assert "80 of 100" in await total.text_content()  # the live sum, as typed
        assert "Make them add up to 100" in await total.text_content()
        await page.fill("#f-kpis-0-name", "Peak temperature drop")
        await page.fill("#f-kpis-0-unit", "°C")
        await page.fill("#f-kpis-0-target", "2")
        await page.fill("#f-proposals_close_at", closes)
        await page.fill("#f-review_deadline", review)
        await check("draft-form")

        # Sent anyway: the server says the same, marks the weights, keeps what was typed.
        await page.click("text=Save the draft")
        await page.wait_for_load_state()
        summary = page.locator("[data-error-summary]")
        assert "The weights add up to 80" in await summary.text_content()
        assert await page.get_attribute("#f-criteria-1-weight", "aria-invalid") == "true"
        assert await page.input_value("#f-title") == title
        assert await page.input_value("#f-proposals_close_at") == closes
        await check("draft-error")

        await page.fill("#f-criteria-1-weight", "50")
        assert "Good: that is 100." in await total.text_content()
        await page.click("text=Save the draft")
        await page.wait_for_url("**/city/challenges/*")
        assert "The draft is saved" in await page.text_content("main")
        await check("draft")

        await page.click("text=Check and publish")
        await page.wait_for_url("**/publish")
        answers = await page.text_content(".answers")
        assert title in answers and "Cooling: 50%" in answers
        await check("publish")
        await page.click("text=Publish the challenge")
        await page.wait_for_url("**/city/challenges/*")
        assert "The challenge is published" in await page.text_content("main")
        current = page.locator('ol.timeline li[aria-current="step"]')
        assert "Open for proposals" in await current.text_content()
        await check("challenge")
        challenge_url = page.url

        await page.goto("/city")
        card = page.locator(".card", has_text=title)
        assert "Open for proposals" in await card.text_content()
        waiting = page.locator(".card", has_text=f"Quieter nights on the Wallen ({viewport_name})")
        assert "Approve the shortlist" in await waiting.text_content()
        await check("dashboard")

        public = challenge_url.replace("/city/challenges/", "/challenges/")
        await page.goto(public)
        assert await page.text_content("h1") == title
        await check("public")
    finally:
        await context.close()
