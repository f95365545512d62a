"""A startup founder in a real browser: signs up, finds an open challenge from its own
overview, saves a draft of a proposal, comes back to it, sends it and sees it on its
page and in the overview; and a startup whose proposal became a pilot reads the pilot's
page with its KPI bars. At desktop width and at 375 px, with axe-core on every page
visited and screenshots in docs/screenshots/ (startup-*.png)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from service.proposals.models import Proposal
from tests.actors import PASSWORD, Actors
from tests.browser.conftest import DESKTOP, PHONE, WCAG
from tests.builders import challenge_in_piloting, iso, open_challenge, wait_for_pilot

SUMMARY = (
    "Forty solar-powered misting poles along the Marktplein, each with its own water "
    "tank refilled at night. The fine mist cools the air by up to four degrees within "
    "three metres and dries before it reaches the pavement."
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
    """An open challenge to send a proposal to, and a pilot running for "Koelte BV"
    with a milestone done and a KPI report filed."""
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
        actors = Actors(client, browser_sessions)  # type: ignore[arg-type]
        city = await actors.city("Innovation office")
        pilot_startup = await actors.startup("Koelte BV")
        evaluators = [await actors.evaluator("Dr. Anna de Vries")]
        piloted, ids, pilots, now = await challenge_in_piloting(
            client, city, [pilot_startup], evaluators, browser_temporal,  # type: ignore[arg-type]
            title="Shade for the Marktplein",
        )  # fmt: skip
        pilot_id = pilots[ids[0]]
        async with browser_sessions() as session:  # a name for the screenshots
            proposal = await session.get(Proposal, ids[0])
            proposal.title = "Misting poles on the Marktplein"
            session.add(proposal)
            await session.commit()
        start = now + timedelta(days=2)
        agreement = await client.post(
            f"/api/pilots/{pilot_id}/agreement",
            json={
                "starts_at": iso(start),
                "ends_at": iso(start + timedelta(days=90)),
                "budget_eur": 40000,
                "milestones": [
                    {"title": "Poles installed", "due_at": iso(start + timedelta(days=10))},
                    {"title": "First hot week measured", "due_at": iso(start + timedelta(days=40))},
                ],
            },
            headers=city.headers,
        )
        assert agreement.status_code == 200, agreement.text
        accepted = await client.post(
            f"/api/pilots/{pilot_id}/accept", headers=pilot_startup.headers
        )
        assert accepted.status_code == 200, accepted.text
        await browser_temporal.sleep(timedelta(days=3))
        assert await wait_for_pilot(client, pilot_id, "running") == "running"  # type: ignore[arg-type]
        milestone = accepted.json()["milestones"][0]["id"]
        done = await client.post(
            f"/api/pilots/{pilot_id}/milestones/{milestone}/complete",
            json={"note": "All forty poles stand."},
            headers=pilot_startup.headers,
        )
        assert done.status_code == 200, done.text
        kpis = {k["name"]: k["kpi_id"] for k in done.json()["kpi_results"]}
        report = await client.post(
            f"/api/pilots/{pilot_id}/kpi-reports",
            json={
                "values": [
                    {"kpi_id": kpis["Peak temperature drop"], "value": 2.6},
                    {"kpi_id": kpis["Resident satisfaction"], "value": 58},
                ],
                "note": "Measured on three hot days.",
            },
            headers=pilot_startup.headers,
        )
        assert report.status_code == 201, report.text
        challenge = await open_challenge(client, city, title="Cooler streets in Zuid")  # type: ignore[arg-type]
        return {"challenge": challenge, "pilot_id": pilot_id, "pilot_startup": pilot_startup}


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
async def test_a_founder_saves_a_draft_and_sends_a_proposal(
    served, world, chromium, screenshots: Path, viewport_name: str
) -> None:
    viewport = DESKTOP if viewport_name == "desktop" else PHONE
    challenge = world["challenge"]

    async def check(name: str) -> None:
        """axe and the width on this page; a screenshot of the few kept in docs."""
        kept = {"proposal-form", "proposal", "overview", "pilot"}
        shoot = screenshots if name in kept else None
        await check_page(page, f"startup-{name}-{viewport_name}", viewport, shoot)

    context = await chromium.new_context(
        viewport=viewport, base_url=served.base_url, locale="en-GB"
    )
    page = await context.new_page()
    try:
        # Sign up as a startup.
        await page.goto("/register")
        await page.check("#f-role-2")  # "A startup"
        await page.fill("#f-display_name", f"Nevel {viewport_name} BV")
        await page.fill("#f-email", f"founder-{viewport_name}@example.org")
        await page.fill("#f-password", PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_load_state()

        # The overview shows the open call and the way to write a proposal.
        await page.click("nav.site-nav >> text=My proposals")
        assert "You have not sent a proposal yet." in await page.text_content("main")
        await check("overview-empty")
        await page.click(f"text=Write a proposal for “{challenge['title']}”")

        # A draft: saved, and back after a reload.
        assert await page.text_content("h1") == "Your proposal"
        assert "left" in await page.text_content(".time-left")
        await page.fill("#f-title", "Misting poles on the Marktplein")
        await page.fill("#f-summary", SUMMARY)
        await page.click("button[value=draft]")
        await page.wait_for_load_state()
        assert "Your draft is saved" in await page.text_content("main")
        await page.reload()
        assert await page.input_value("#f-title") == "Misting poles on the Marktplein"
        assert "This is your draft" in await page.text_content("main")
        await check("proposal-form")

        # Sending without a budget: the error summary, the field marked, the text kept.
        await page.click("button[value=submit]")
        await page.wait_for_load_state()
        assert await page.locator("[data-error-summary]").is_visible()
        assert await page.get_attribute("#f-budget_eur", "aria-invalid") == "true"
        assert await page.input_value("#f-summary") == SUMMARY
        await check("proposal-form-error")
        await page.fill("#f-budget_eur", "40.000")
        await page.click("button[value=submit]")
        await page.wait_for_load_state()

        # The proposal's page: sent, with the time left to change it.
        assert "/proposals/" in page.url
        main = await page.text_content("main")
        assert "Your proposal is sent" in main and "€40,000" in main
        assert "Change proposal" in main and "Withdraw proposal" in main
        await check("proposal")

        await page.click("text=Withdraw proposal")
        assert await page.text_content("h1") == "Withdraw your proposal?"
        await check("withdraw")
        await page.click("text=No, keep it")

        await page.click("nav.site-nav >> text=My proposals")
        main = await page.text_content("main")
        assert "Misting poles on the Marktplein" in main and "Submitted" in main
        assert "You sent a proposal for this challenge" in main
        assert "Drafts not sent yet" not in main  # sending the proposal used up the draft
        await check("overview")
    finally:
        await context.close()

    # The pilot's page, as the startup running it sees it.
    context = await chromium.new_context(
        viewport=viewport, base_url=served.base_url, locale="en-GB"
    )
    page = await context.new_page()
    try:
        await page.goto(f"/login?next=/pilots/{world['pilot_id']}")
        await page.fill("#f-email", world["pilot_startup"].email)
        await page.fill("#f-password", PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_load_state()
        assert f"/pilots/{world['pilot_id']}" in page.url
        kpis = await page.text_content("#kpis")
        assert "2.6" in kpis and "Met" in kpis and "Not yet" in kpis
        assert "All forty poles stand." in await page.text_content("#milestones")
        await check("pilot")
        await page.click("text=Report indicators")
        assert await page.text_content("h1") == "Report indicators"
        await check("kpi-report")
    finally:
        await context.close()
