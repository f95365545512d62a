"""An evaluator in a real browser: signs in, opens the to-do list, scores a proposal on
its sheet (the running total follows as they type), saves and finds it under done; at
desktop width and at 375 px, with axe-core on every page visited and screenshots in
docs/screenshots/ (evaluator-*.png)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from tests.actors import PASSWORD, Actors
from tests.browser.conftest import DESKTOP, PHONE, WCAG
from tests.builders import assign, open_challenge, screen, submit, wait_for_phase

SUMMARY = (
    "Forty solar-powered misting poles along the Marktplein, each with its own water "
    "tank refilled at night. The fine mist cools the air by up to four degrees within "
    "three metres and dries before it reaches the pavement.\n\n"
    "We install in two weeks, maintain the poles for the length of the pilot and "
    "measure temperature every ten minutes with the city's lamppost sensors."
)

SHADE = (
    "White shade sails stretched between the facades of the three streets, raised in "
    "May and lowered in October, so the pavement never heats up in the sun."
)

_axe = Axe()


async def check_page(page: Any, name: str, viewport: dict[str, int], shoot: Path | None) -> None:
    """No WCAG 2.1 A/AA violation, nothing scrolls sideways, a screenshot when asked."""
    results = await _axe.run(page, options=WCAG)
    assert results.violations_count == 0, f"{name} ({page.url}):\n{results.generate_report()}"
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{name} scrolls sideways at {viewport['width']} px"
    if shoot is not None:
        await page.screenshot(path=str(shoot / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
async def world(served, browser_sessions, browser_temporal) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
        actors = Actors(client, browser_sessions)  # type: ignore[arg-type]
        city = await actors.city("Innovation office")
        startups = [await actors.startup(name) for name in ("Koelte BV", "Schaduwrijk")]
        challenge = await open_challenge(
            client, city, title="Cooler streets in Zuid", close_in=timedelta(days=10)
        )  # type: ignore[arg-type]
        ids = []
        for startup, title, summary in (
            (startups[0], "Misting poles on the Marktplein", SUMMARY),
            (startups[1], "Shade sails between the facades", SHADE),
        ):
            sent = await submit(client, startup, challenge["id"], title=title, summary=summary)  # type: ignore[arg-type]
            assert sent.status_code == 201, sent.text
            ids.append(sent.json()["id"])
        await browser_temporal.sleep(timedelta(days=10, hours=1))
        assert await wait_for_phase(client, challenge["id"], "review") == "review"  # type: ignore[arg-type]
        for pid in ids:
            await screen(client, city, pid)  # type: ignore[arg-type]
        evaluators = {
            "desktop": await actors.evaluator("Dr. Anna de Vries"),
            "phone": await actors.evaluator("Joost Bakker"),
        }
        await assign(client, city, challenge["id"], list(evaluators.values()))  # type: ignore[arg-type]
        return {"challenge": challenge, "evaluators": evaluators}


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
async def test_an_evaluator_scores_a_proposal_and_finds_it_done(
    served, world, chromium, screenshots: Path, viewport_name: str
) -> None:
    viewport = DESKTOP if viewport_name == "desktop" else PHONE
    evaluator = world["evaluators"][viewport_name]
    context = await chromium.new_context(
        viewport=viewport, base_url=served.base_url, locale="en-GB"
    )
    page = await context.new_page()

    def shot(name: str) -> Path | None:
        return screenshots if name in {"home", "sheet"} else None

    try:
        # Signing in from the evaluator's page comes back to it.
        await page.goto("/evaluator")
        assert "/login" in page.url
        await page.fill("#f-email", evaluator.email)
        await page.fill("#f-password", PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_url("**/evaluator")
        assert await page.text_content("h1") == "My assignments"
        todo = await page.text_content("#todo")
        assert "Cooler streets in Zuid" in todo and "days left" in todo
        assert (
            "Misting poles on the Marktplein" in todo and "Shade sails between the facades" in todo
        )
        await check_page(page, f"evaluator-home-{viewport_name}", viewport, None)

        # The sheet: the proposal beside the criteria; the total follows the typing.
        await page.click("#todo >> text=Misting poles on the Marktplein")
        assert await page.text_content("h1") == "Misting poles on the Marktplein"
        await check_page(page, f"evaluator-sheet-empty-{viewport_name}", viewport, None)
        await page.fill("#f-scores-0-score", "8")
        await page.fill("#f-scores-0-comment", "Cools the square well; the mist dries fast.")
        await page.fill("#f-scores-1-score", "6")
        assert await page.text_content("form [data-total-value]") == "5.8"  # 4 + 1.8
        assert "2 of 3 criteria scored" in await page.text_content("form [data-total-progress]")
        assert await page.is_visible("form [data-total-unsaved]")

        # A mistake is refused with what was typed kept and the field marked.
        await page.fill("#f-scores-2-score", "12")
        await page.click("text=Save scores")
        await page.wait_for_load_state()
        assert await page.is_visible("[data-error-summary]")
        assert await page.get_attribute("#f-scores-2-score", "aria-invalid") == "true"
        assert await page.input_value("#f-scores-0-score") == "8"
        await check_page(page, f"evaluator-sheet-error-{viewport_name}", viewport, None)

        await page.fill("#f-scores-2-score", "7")
        assert await page.text_content("form [data-total-value]") == "7.2"  # 4 + 1.8 + 1.4
        await page.click("text=Save scores")
        await page.wait_for_load_state()
        assert "#total" in page.url
        notice = await page.text_content(".notice--success")
        assert "Every criterion is scored" in notice
        assert await page.text_content("form [data-total-value]") == "7.2"
        assert not await page.is_visible("form [data-total-unsaved]")
        await check_page(page, f"evaluator-sheet-{viewport_name}", viewport, shot("sheet"))

        # The conflict declaration's confirmation page (not sent).
        await page.click("text=Declare a conflict of interest")
        assert await page.text_content("h1") == "Declare a conflict of interest"
        await check_page(page, f"evaluator-conflict-{viewport_name}", viewport, None)
        await page.click("text=Cancel: keep this proposal")

        # Done.
        await page.click("text=Back to my assignments")
        done = await page.text_content("#done")
        assert "Misting poles on the Marktplein" in done and "7.2 out of 10" in done
        assert "Misting poles on the Marktplein" not in await page.text_content("#todo")
        await check_page(page, f"evaluator-home-{viewport_name}", viewport, shot("home"))

        # Without JavaScript the sheet still saves, and the server's total is shown.
        nojs = await chromium.new_context(
            viewport=viewport, base_url=served.base_url, java_script_enabled=False
        )
        try:
            await nojs.add_cookies(await context.cookies())
            plain = await nojs.new_page()
            await plain.goto("/evaluator")
            await plain.click("#todo >> text=Shade sails between the facades")
            await plain.fill("#f-scores-0-score", "5")
            await plain.click("text=Save scores")
            await plain.wait_for_load_state()
            assert "2.5" in await plain.text_content("form [data-total-value]")
        finally:
            await nojs.close()
    finally:
        await context.close()
