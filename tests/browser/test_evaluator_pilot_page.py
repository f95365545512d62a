"""The pilot evaluation page in a real browser: an evaluator opens an ended pilot from
their assignments, reads its results against the targets and residents' ratings, and
saves a score; desktop and 375 px, axe on the page, a screenshot (evaluator-pilot-*).

A module of its own: it needs a Temporal test server with this one challenge, so that
time skipped to end the pilot moves no other test's challenge."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.actors import PASSWORD, Actors
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_evaluator_pages import check_page
from tests.builders import agree, challenge_in_piloting, wait_for_pilot


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
async def test_an_evaluator_scores_an_ended_pilot(
    served, pilot_world, chromium, screenshots: Path, viewport_name: str
) -> None:
    viewport = DESKTOP if viewport_name == "desktop" else PHONE
    evaluator = pilot_world["evaluator"]
    context = await chromium.new_context(
        viewport=viewport, base_url=served.base_url, locale="en-GB"
    )
    page = await context.new_page()
    try:
        await page.goto("/login?next=/evaluator")
        await page.fill("#f-email", evaluator.email)
        await page.fill("#f-password", PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_url("**/evaluator")
        await page.click("#pilots >> text=Proposal 1")
        kpis = await page.text_content("#kpi-title + table")
        assert "2.6" in kpis and "64" in kpis and "not met" in kpis
        assert "Residents rate it 4.5 out of 5" in await page.text_content("main")
        score = "8" if viewport_name == "desktop" else "7"
        await page.fill("#f-score", score)
        await page.fill("#f-comment", "Cooler by more than two degrees; residents like it.")
        await page.click("text=Save evaluation")
        await page.wait_for_load_state()
        assert "#evaluation" in page.url
        assert await page.input_value("#f-score") == score
        name = f"evaluator-pilot-{viewport_name}"
        await check_page(page, name, viewport, screenshots if viewport_name == "desktop" else None)
    finally:
        await context.close()


@pytest.fixture(scope="module")
async def pilot_world(served, browser_sessions, browser_temporal) -> dict[str, Any]:
    """A pilot that ran, reported its indicators, was rated by residents and ended."""
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
        actors = Actors(client, browser_sessions)  # type: ignore[arg-type]
        city, startup = await actors.city("Innovation office"), await actors.startup("Koelte BV")
        evaluator = await actors.evaluator("Dr. Sanne Visser")
        challenge, _, pilots, t0 = await challenge_in_piloting(
            client, city, [startup], [evaluator], browser_temporal,  # type: ignore[arg-type]
            title="Cooler streets in West",
        )  # fmt: skip
        [pilot_id] = pilots.values()
        await agree(client, city, startup, pilot_id, t0 + timedelta(days=1), days=30)  # type: ignore[arg-type]
        await browser_temporal.sleep(timedelta(days=2))
        await wait_for_pilot(client, pilot_id, "running")  # type: ignore[arg-type]
        kpis = {k["name"]: k["id"] for k in challenge["kpis"]}
        report = {
            "values": [{"kpi_id": kpis["Peak temperature drop"], "value": 2.6},
                       {"kpi_id": kpis["Resident satisfaction"], "value": 64}],
            "note": "July: sensor 7 was out for three days; its street is left out.",
        }  # fmt: skip
        filed = await client.post(
            f"/api/pilots/{pilot_id}/kpi-reports", json=report, headers=startup.headers
        )
        assert filed.status_code == 201, filed.text
        for name, rating, body in (
            ("Fatima", 5, "The square is finally bearable in the afternoon."),
            ("Kees", 4, "Nice and cool, but the poles hum a little at night."),
        ):
            resident = await actors.resident(name)
            said = await client.post(
                f"/api/pilots/{pilot_id}/inputs",
                json={"body": body, "rating": rating},
                headers=resident.headers,
            )
            assert said.status_code == 201, said.text
        await browser_temporal.sleep(timedelta(days=31))
        assert await wait_for_pilot(client, pilot_id, "evaluation") == "evaluation"  # type: ignore[arg-type]
        return {"evaluator": evaluator, "pilot_id": pilot_id}
