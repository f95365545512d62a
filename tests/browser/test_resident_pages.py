"""A resident on a phone (375 px) follows a challenge, endorses a neighbour's input and
rates a running pilot; once the city has decided, the outcome report at both widths.
axe-core checks every page visited; screenshots (resident-*, pilot-*, report-*) go to
docs/screenshots/ only with PROEFTUIN_SCREENSHOTS=1."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

try:
    from service.notifications.tokens import unsubscribe_token
except ImportError:  # before the notifications package was split
    from service.notifications.mail import unsubscribe_token  # type: ignore[no-redef]

from tests.actors import PASSWORD, Actors
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_public_pages import PROBLEM, TEST_BED, check_page
from tests.builders import (
    assign,
    iso,
    my_assignments,
    open_challenge,
    score,
    screen,
    submit,
    wait_for_phase,
    wait_for_pilot,
)


@pytest.fixture(scope="module")
async def running_pilot(served, browser_sessions, browser_temporal) -> dict[str, Any]:
    """A challenge whose one pilot runs in the test bed, with a neighbour's input."""
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
        actors = Actors(client, browser_sessions)  # type: ignore[arg-type]
        city = await actors.city("Innovation office")
        startup, evaluator = await actors.startup("Koel BV"), await actors.evaluator()
        neighbour, resident = await actors.resident("Fatima"), await actors.resident("Joost")
        challenge = await open_challenge(
            client, city, title="Cooler streets around the Marktplein", problem_statement=PROBLEM,
            test_bed=TEST_BED, max_pilots=1, close_in=timedelta(days=10),
            review_for=timedelta(days=20),
        )  # fmt: skip
        cid = challenge["id"]
        said = await client.post(
            f"/api/challenges/{cid}/inputs",
            json={"body": "Please keep the benches in the shade."},
            headers=neighbour.headers,
        )
        assert said.status_code == 201, said.text
        await client.post(
            f"/api/inputs/{said.json()['id']}/response",
            json={"body": "Shade for the benches is now part of the criteria."},
            headers=city.headers,
        )
        proposal = (await submit(client, startup, cid, title="Misting poles")).json()["id"]
        await browser_temporal.sleep(timedelta(days=11))
        await wait_for_phase(client, cid, "review")  # type: ignore[arg-type]
        await screen(client, city, proposal)  # type: ignore[arg-type]
        await assign(client, city, cid, [evaluator])  # type: ignore[arg-type]
        [assignment] = await my_assignments(client, evaluator)  # type: ignore[arg-type]
        await score(client, evaluator, assignment, (9, 8, 8))  # type: ignore[arg-type]
        await wait_for_phase(client, cid, "selection")  # type: ignore[arg-type]
        chosen = await client.post(
            f"/api/challenges/{cid}/shortlist",
            json={"proposal_ids": [proposal]},
            headers=city.headers,
        )
        assert chosen.status_code == 200, chosen.text
        [pilot_id] = [p["id"] for p in chosen.json()["pilots"]]
        start = datetime.fromisoformat(chosen.json()["timeline"][-1]["at"]) + timedelta(days=2)
        agreement = await client.post(
            f"/api/pilots/{pilot_id}/agreement",
            json={
                "starts_at": iso(start),
                "ends_at": iso(start + timedelta(days=60)),
                "budget_eur": 45000,
                "milestones": [
                    {"title": "Poles installed", "due_at": iso(start + timedelta(days=1))},
                    {"title": "Summer measured", "due_at": iso(start + timedelta(days=50))},
                ],
            },
            headers=city.headers,
        )
        assert agreement.status_code == 200, agreement.text
        await client.post(f"/api/pilots/{pilot_id}/accept", headers=startup.headers)
        await browser_temporal.sleep(timedelta(days=3))
        await wait_for_pilot(client, pilot_id, "running")  # type: ignore[arg-type]
        kpis = {k["name"]: k["id"] for k in challenge["kpis"]}
        reported = await client.post(
            f"/api/pilots/{pilot_id}/kpi-reports",
            json={
                "values": [
                    {"kpi_id": kpis["Peak temperature drop"], "value": 2.4},
                    {"kpi_id": kpis["Resident satisfaction"], "value": 62},
                ],
                "note": "Sensor 4 replaced by our supplier",
            },
            headers=startup.headers,
        )
        assert reported.status_code == 201, reported.text
        return {
            "challenge": challenge,
            "pilot_id": pilot_id,
            "city": city,
            "resident": resident,
        }


async def test_a_resident_follows_endorses_and_rates_a_pilot_then_reads_the_report(
    served, running_pilot, chromium, browser_temporal, browser_settings, screenshots: Path
) -> None:
    challenge, pilot_id = running_pilot["challenge"], running_pilot["pilot_id"]
    shoot = screenshots
    context = await chromium.new_context(viewport=PHONE, base_url=served.base_url, locale="en-GB")
    page = await context.new_page()
    try:
        await page.goto("/login")
        await page.fill("#f-email", running_pilot["resident"].email)
        await page.fill("#f-password", PASSWORD)
        await page.click("main button[type=submit]")
        await page.goto(f"/challenges/{challenge['id']}")

        # Follow: the button becomes a confirmation with a way back out.
        await page.click("#follow button[type=submit]")
        await page.wait_for_load_state()
        assert "You follow this challenge" in await page.text_content("#follow")
        # Endorse the neighbour's input: the count and "you agree" show at once.
        item = page.locator(".item", has_text="benches in the shade").first
        await item.locator("button", has_text="I agree").click()
        await page.wait_for_load_state()
        item = page.locator(".item", has_text="benches in the shade").first
        assert "1 resident agrees" in await item.text_content()
        assert "You agree with this" in await item.text_content()
        await check_page(page, "resident-challenge-phone", PHONE, shoot)

        # The pilot: KPI values against targets, then a rating.
        await page.click("#pilots-title ~ ul a")
        assert f"/pilots/{pilot_id}" in page.url
        assert "2.4 °C" in await page.text_content("#kpis")
        await page.fill("#f-body", "Much cooler at the bus stop in the afternoon.")
        await page.check("#f-rating-4")  # the fourth radio: 4 out of 5
        await page.click("#give-input button[type=submit]")
        await page.wait_for_load_state()
        assert "#input-" in page.url
        residents = " ".join((await page.text_content("#residents") or "").split())
        assert "Rated 4 out of 5" in residents and "4 out of 5 from 1 rating" in residents
        await check_page(page, "pilot-phone", PHONE, shoot)

        await page.goto("/me")
        assert "Cooler streets around the Marktplein" in await page.text_content("#following")
        await check_page(page, "resident-me-phone", PHONE, shoot)

        # The report form: refused without a reason, the summary links to the field.
        await page.goto(f"/challenges/{challenge['id']}")
        await (
            page.locator(".item", has_text="benches in the shade")
            .first.locator("a", has_text="Report to the city")
            .click()
        )
        await page.click("main button[type=submit]")
        assert await page.get_attribute("#f-reason", "aria-invalid") == "true"
        await check_page(page, "resident-report-error-phone", PHONE)
    finally:
        await context.close()

    # The city decides; the challenge closes; the report at both widths.
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
        await browser_temporal.sleep(timedelta(days=61))
        await wait_for_pilot(client, pilot_id, "evaluation")  # type: ignore[arg-type]
        decided = await client.post(
            f"/api/pilots/{pilot_id}/decision",
            json={
                "decision": "scale_up",
                "reason": "Cooler by 2.4 °C where the poles stand; residents rate it well.",
                "plan": {
                    "budget_eur": 400000,
                    "procurement_route": "innovation_partnership",
                    "areas": ["Zuid", "Oost"],
                    "starts_at": iso(datetime.now().astimezone() + timedelta(days=200)),
                },
            },
            headers=running_pilot["city"].headers,
        )
        assert decided.status_code == 200, decided.text
        await wait_for_phase(client, challenge["id"], "closed")  # type: ignore[arg-type]
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = await chromium.new_context(
            viewport=viewport, base_url=served.base_url, locale="en-GB"
        )
        page = await context.new_page()
        try:
            await page.goto(f"/challenges/{challenge['id']}")
            await page.click("text=Read the outcome report")
            main = " ".join((await page.text_content("main") or "").split())
            assert "You said, we did" in main and "Scale up" in main
            assert "Misting poles" in main
            await check_page(page, f"report-{name}", viewport, shoot)
            if name == "desktop":
                await page.goto(f"/pilots/{pilot_id}")
                await check_page(page, "pilot-desktop", viewport, shoot)
        finally:
            await context.close()

    # The page behind a mail's unsubscribe link looks like the rest.
    token = unsubscribe_token(browser_settings.signing_secret(), running_pilot["resident"].id)
    context = await chromium.new_context(viewport=PHONE, base_url=served.base_url, locale="en-GB")
    page = await context.new_page()
    try:
        await page.goto(f"/api/unsubscribe?token={token}")
        assert (
            await page.evaluate(
                "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
            )
            == "rgb(0, 75, 135)"
        )  # the stylesheet loaded: the header's accent band
        await check_page(page, "resident-unsubscribe-phone", PHONE, shoot)
    finally:
        await context.close()
