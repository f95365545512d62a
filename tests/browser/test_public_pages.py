"""The public pages and a resident's path through them, in a real browser: at desktop
width and at 375 px, in English and in Dutch, with axe-core on every page visited and
screenshots in docs/screenshots/ (the README links them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from schemas.common import ChallengePhase
from tests.actors import PASSWORD, Actors
from tests.browser.conftest import DESKTOP, PHONE, WCAG
from tests.builders import open_challenge
from tests.web.conftest import add_challenge

PROBLEM = (
    "In summer the paved streets around the Marktplein hold the heat long after sunset. "
    "Older residents and young children suffer most, and the trees planted in 2019 will "
    "not give enough shade for another ten years.\n\n"
    "We look for solutions that cool these streets by at least two degrees on hot days, "
    "that residents like to live with, and that the city can run at a fair cost."
)
TEST_BED = (
    "Three streets around the Marktplein in Zuid, with temperature sensors on twelve "
    "lampposts and a residents' panel of 40 households."
)

_axe = Axe()


async def check_page(
    page: Any, name: str, viewport: dict[str, int], shoot: Path | None = None
) -> None:
    """axe finds no WCAG 2.1 A/AA violation; nothing scrolls sideways; a screenshot in
    the folder ``shoot`` when given."""
    results = await _axe.run(page, options=WCAG)
    assert results.violations_count == 0, f"{name} ({page.url}):\n{results.generate_report()}"
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{name} scrolls sideways at {viewport['width']} px"
    if shoot is not None:
        await page.screenshot(path=str(shoot / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
async def world(served, browser_sessions) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
        actors = Actors(client, browser_sessions)  # type: ignore[arg-type]
        city = await actors.city("Innovation office")
        challenge = await open_challenge(
            client, city, title="Cooler streets in Zuid", problem_statement=PROBLEM,
            test_bed=TEST_BED,
        )  # fmt: skip
        cid = challenge["id"]
        neighbour = await actors.resident("Fatima")
        asked = await client.post(
            f"/api/challenges/{cid}/questions",
            json={"body": "May a proposal use water from the canal?"},
            headers=neighbour.headers,
        )
        await client.post(
            f"/api/questions/{asked.json()['id']}/answer",
            json={"body": "Yes, if it is returned clean; the water board must agree."},
            headers=city.headers,
        )
        said = await client.post(
            f"/api/challenges/{cid}/inputs",
            json={"body": "Please keep the benches in the shade. <b>Not</b> more concrete."},
            headers=neighbour.headers,
        )
        await client.post(
            f"/api/inputs/{said.json()['id']}/response",
            json={"body": "Thank you: shade for the benches is now part of the criteria."},
            headers=city.headers,
        )
        await add_challenge(
            browser_sessions, city.id, "Quieter nights on the Wallen",
            phase=ChallengePhase.REVIEW,
            problem="Night noise from delivery scooters keeps residents awake.",
        )  # fmt: skip
        await add_challenge(
            browser_sessions, city.id, "Fewer parcels vans in the centre",
            phase=ChallengePhase.PILOTING,
            problem="Delivery vans block the narrow streets every morning.",
        )  # fmt: skip
        return {"challenge": challenge, "actors": actors, "client": client}


@pytest.mark.parametrize(
    ("language", "viewport_name"),
    [("en", "desktop"), ("en", "phone"), ("nl", "desktop"), ("nl", "phone")],
)
async def test_a_resident_reads_signs_in_and_gives_input(
    served,
    world,
    chromium,
    browser_sessions,
    screenshots: Path,
    language: str,
    viewport_name: str,
) -> None:
    viewport = DESKTOP if viewport_name == "desktop" else PHONE
    challenge = world["challenge"]
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
        resident = await Actors(client, browser_sessions).resident(f"Resident {language}")  # type: ignore[arg-type]
    dutch = language == "nl"
    # Screenshots (docs/screenshots): every page in English, the main two in Dutch.
    shots = {"home", "challenge-input"} if dutch else {
        "home", "register-error", "login", "challenge-input", "me"
    }  # fmt: skip

    def wanted(name: str) -> Path | None:
        return screenshots if name in shots else None

    def shot(name: str) -> str:
        shown = "challenge" if name == "challenge-input" else name
        return f"{shown}-{viewport_name}-{language}"

    context = await chromium.new_context(
        viewport=viewport, base_url=served.base_url, locale="en-GB"
    )
    page = await context.new_page()
    try:
        # The list, in the language asked for (Dutch by the switch, then remembered).
        await page.goto("/?lang=nl" if dutch else "/")
        assert await page.get_attribute("html", "lang") == language
        heading = await page.text_content("h1")
        assert heading == ("Uitdagingen van de gemeente" if dutch else "The city's challenges")
        await check_page(page, shot("home"), viewport, wanted("home"))

        # The challenge page: its timeline marks the current phase.
        await page.click("text=Cooler streets in Zuid")
        current = page.locator('ol.timeline li[aria-current="step"]')
        assert await current.count() == 1
        assert ("Open voor voorstellen" if dutch else "Open for proposals") in (
            await current.text_content()
        )
        assert "<b>Not</b> more concrete" in await page.text_content("main")  # shown as text
        await check_page(page, shot("challenge-anonymous"), viewport)

        # A refused sign-up: the summary at the top, focused, linking to each field.
        await page.goto("/register")
        await page.fill("#f-email", "someone@")
        await page.click("button[type=submit]")
        summary = page.locator("[data-error-summary]")
        assert await summary.is_visible()
        assert await page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        assert await page.input_value("#f-email") == "someone@"
        assert await page.get_attribute("#f-email", "aria-invalid") == "true"
        await check_page(page, shot("register-error"), viewport, wanted("register-error"))

        # Signing in from the challenge page comes back to it.
        await page.goto(f"/challenges/{challenge['id']}")
        await page.click("#give-input a >> nth=0")
        await check_page(page, shot("login"), viewport, wanted("login"))
        await page.fill("#f-email", resident.email)
        await page.fill("#f-password", PASSWORD)
        await page.click("main button[type=submit]")
        assert f"/challenges/{challenge['id']}" in page.url

        # Giving input: post/redirect/get back to the page, the input shown as received.
        body = "Vernevel water bij de bankjes" if dutch else "Misting by the benches, please"
        await page.fill("#f-body", body)
        await page.click("#give-input button[type=submit]")
        await page.wait_for_load_state()
        assert "#input-" in page.url
        mine = page.locator(".item--mine").first
        assert body in await mine.text_content()
        assert ("Ontvangen" if dutch else "Received") in await mine.text_content()
        await check_page(page, shot("challenge-input"), viewport, wanted("challenge-input"))

        await page.goto("/me")
        assert body in await page.text_content("main")
        await check_page(page, shot("me"), viewport, wanted("me"))

        # Keyboard: the skip link is the first thing Tab reaches.
        await page.goto("/")
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.className") == "skip-link"
    finally:
        await context.close()
