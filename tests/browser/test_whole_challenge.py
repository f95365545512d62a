"""One whole challenge, from the city's draft to the public outcome report, through the
pages alone: every step is a person in a browser clicking and typing; no step calls the
API. The accounts are made as in the other browser tests (city staff and evaluators by
the CLI's path, startups and residents by signing up).

The city (desktop, English) creates and publishes the challenge; a resident (375 px,
Dutch, from her browser's Accept-Language) gives input on the problem; two startups
send proposals; the call closes; the city screens (one eligible, one not, with the
reason) and assigns two evaluators, who score; the city approves the shortlist and sets
the pilot's agreement; the startup accepts, the pilot starts, and the startup marks its
milestone complete and files a KPI report; residents (one in Dutch on a phone, one in
English) rate the pilot; the pilot ends; an evaluator scores it; the city answers the
residents, reads what they said about the pilot and scales it up; the challenge closes
and the outcome report says what happened, in both languages, and the resident finds
her input answered on her page.

Time: the deadlines are Temporal timers on the module's time-skipping test server
(``browser_temporal``). The test moves its clock (``sleep``) past each deadline and then
reloads the page until the workflow has recorded the new phase; nothing waits on the
wall clock for a deadline. Dates typed into the forms are counted from the server's
clock (``get_current_time``), as the city would count from today.

axe-core checks every page visited (WCAG 2.1 A and AA) and nothing scrolls sideways;
each role's main pages are checked at desktop width and at 375 px. With
PROEFTUIN_SCREENSHOTS=1 the main page of each role (``SHOTS``) is saved at both widths
as docs/screenshots/journey-*.png.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from service.settings import Settings
from tests.actors import PASSWORD, Account, Actors
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_public_pages import PROBLEM, TEST_BED, check_page

TITLE = "Cooler streets around the Marktplein"
MISTING = "Misting poles on the Marktplein"
ASPHALT = "Black asphalt with more sensors"
SUMMARY = (
    "Forty solar-powered misting poles along the Marktplein, each with its own water "
    "tank refilled at night. The fine mist cools the air by up to four degrees within "
    "three metres and dries before it reaches the pavement."
)


# The main page of each role, saved at both widths with PROEFTUIN_SCREENSHOTS=1.
SHOTS = {
    "city-dashboard-review",
    "city-ranking",
    "city-inputs",
    "city-decision",
    "startup-pilot-running",
    "evaluator-sheet",
    "resident-challenge-open",
    "resident-pilot",
    "public-report",
}

# What sticks out of the page when something scrolls sideways, for the failure message.
WIDER_THAN = """width => [...document.querySelectorAll('body *')]
  .map(e => [e, Math.round(e.getBoundingClientRect().right)])
  .filter(([e, right]) => right > width + 1).slice(0, 8)
  .map(([e, right]) => `${e.tagName.toLowerCase()}.${e.className}: ${right} px`)"""


def squeeze(text: str | None) -> str:
    return " ".join((text or "").split())


@dataclass
class Visitor:
    """One person's browser tab: who they are, at which width, in which language."""

    page: Any
    who: str
    viewport: dict[str, int]
    shoot: Path | None

    async def check(self, name: str, *, main: bool = False) -> None:
        """axe and the width here; a main page also at the other width; a screenshot
        at both widths of the pages in ``SHOTS`` when screenshots are asked for."""
        width = "phone" if self.viewport is PHONE else "desktop"
        shoot = self.shoot if f"{self.who}-{name}" in SHOTS else None
        await self._check(f"journey-{self.who}-{name}-{width}", self.viewport, shoot)
        if not main:
            return
        other, other_width = (DESKTOP, "desktop") if width == "phone" else (PHONE, "phone")
        await self.page.set_viewport_size(other)
        try:
            await self._check(f"journey-{self.who}-{name}-{other_width}", other, shoot)
        finally:
            await self.page.set_viewport_size(self.viewport)

    async def _check(self, name: str, viewport: dict[str, int], shoot: Path | None) -> None:
        try:
            await check_page(self.page, name, viewport, shoot)
        except AssertionError as refused:
            wide = await self.page.evaluate(WIDER_THAN, viewport["width"])
            raise AssertionError(f"{refused}\nwider than the page: {wide}") from None

    async def text(self, selector: str = "main") -> str:
        return squeeze(await self.page.text_content(selector))

    async def until_shown(self, wanted: str, selector: str = "main", timeout: float = 30) -> str:
        """Reload until ``wanted`` shows: a workflow records its step a moment after the
        event (a timer, a decision) that caused it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            shown = await self.text(selector)
            if wanted in shown:
                return shown
            if loop.time() > deadline:
                raise AssertionError(
                    f"{wanted!r} not on {self.page.url} after {timeout} s: {shown}"
                )
            await asyncio.sleep(0.25)
            await self.page.reload()

    async def flash(self) -> str:
        return await self.text(".notice--success")


@pytest.fixture(scope="module")
async def people(served, browser_sessions) -> dict[str, Account]:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
        actors = Actors(client, browser_sessions)  # type: ignore[arg-type]
        return {
            "city": await actors.city("Sanne (innovation office)"),
            "koelte": await actors.startup("Koelte BV"),
            "asfalt": await actors.startup("Asfalt & Co"),
            "anna": await actors.evaluator("Dr. Anna de Vries"),
            "joost": await actors.evaluator("Joost Bakker"),
            "fatima": await actors.resident("Fatima"),
            "kees": await actors.resident("Kees"),
        }


async def test_one_whole_challenge_through_the_pages(
    served,
    people: dict[str, Account],
    chromium,
    browser_temporal: WorkflowEnvironment,
    browser_settings: Settings,
    screenshots: Path,
) -> None:
    zone = ZoneInfo(browser_settings.time_zone)
    shoot = screenshots if os.environ.get("PROEFTUIN_SCREENSHOTS") else None
    contexts: list[Any] = []

    async def sign_in(
        who: str, account: Account, viewport: dict[str, int], locale: str = "en-GB"
    ) -> Visitor:
        context = await chromium.new_context(
            viewport=viewport, base_url=served.base_url, locale=locale
        )
        contexts.append(context)
        visitor = Visitor(await context.new_page(), who, viewport, shoot)
        page = visitor.page
        await page.goto("/login")
        await visitor.check("login")
        await page.fill("#f-email", account.email)
        await page.fill("#f-password", PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_load_state()
        signed_in = "U bent ingelogd" if locale.startswith("nl") else "You are signed in"
        assert signed_in in await visitor.flash()
        await visitor.check("signed-in")
        return visitor

    async def local(after: timedelta) -> str:
        """A datetime-local value, ``after`` from now on the workflows' clock."""
        now: datetime = await browser_temporal.get_current_time()
        return (now + after).astimezone(zone).strftime("%Y-%m-%dT%H:%M")

    try:
        city = await sign_in("city", people["city"], DESKTOP)
        challenge_id = await city_publishes(city, await local(timedelta(days=10)),
                                            await local(timedelta(days=30)))  # fmt: skip
        fatima = await sign_in("resident", people["fatima"], PHONE, locale="nl-NL")
        await resident_gives_input_on_the_problem(fatima, challenge_id)
        koelte = await sign_in("startup", people["koelte"], DESKTOP)
        await startup_sends_a_proposal(koelte, MISTING, SUMMARY, "40000", main=True)
        asfalt = await sign_in("startup-2", people["asfalt"], DESKTOP)
        await startup_sends_a_proposal(
            asfalt, ASPHALT, "Dark asphalt that we measure very precisely.", "30000"
        )

        # The call closes: ten days pass on the workflows' clock.
        await browser_temporal.sleep(timedelta(days=10, hours=1))
        await city_screens_and_assigns(city, challenge_id)
        anna = await sign_in("evaluator", people["anna"], DESKTOP)
        joost = await sign_in("evaluator-2", people["joost"], DESKTOP)
        await evaluator_scores(anna, ("8", "7"), main=True)
        await evaluator_scores(joost, ("9", "6"))

        pilot_id = await city_approves_the_shortlist(city, challenge_id)
        starts = timedelta(days=2)
        await city_sets_the_agreement(
            city, pilot_id, await local(starts), await local(starts + timedelta(days=60)),
            await local(starts + timedelta(days=10)),
        )  # fmt: skip
        await startup_accepts(koelte, pilot_id)

        # The pilot starts on its start date.
        await browser_temporal.sleep(timedelta(days=3))
        await startup_reports_indicators(koelte, pilot_id)
        await resident_rates_the_pilot(fatima, challenge_id, pilot_id, dutch=True)
        kees = await sign_in("resident-2", people["kees"], DESKTOP)
        await resident_rates_the_pilot(kees, challenge_id, pilot_id, dutch=False)

        # The pilot ends; the evaluators score it.
        await browser_temporal.sleep(timedelta(days=60))
        await evaluator_scores_the_pilot(anna, pilot_id)

        await city_answers_the_residents(city, challenge_id)
        await city_scales_up(city, challenge_id, pilot_id, await local(timedelta(days=90)))
        await everyone_reads_the_outcome(chromium, served, contexts, fatima, challenge_id, shoot)
    finally:
        for context in contexts:
            await context.close()


# -- the city drafts and publishes ---------------------------------------------------------


async def city_publishes(city: Visitor, closes: str, review_by: str) -> int:
    page = city.page
    await page.goto("/city")
    assert await page.text_content("h1") == "City console"
    await city.check("dashboard-empty")
    await page.click("text=Create a challenge")
    await page.wait_for_url("**/city/challenges/new")
    await page.fill("#f-title", TITLE)
    await page.fill("#f-problem_statement", PROBLEM)
    await page.fill("#f-test_bed", TEST_BED)
    await page.fill("#f-pilot_budget_cap_eur", "50000")
    await page.fill("#f-max_pilots", "1")
    await page.fill("#f-criteria-0-name", "Cooling")
    await page.fill("#f-criteria-0-description", "Degrees cooler on a hot afternoon")
    await page.fill("#f-criteria-0-weight", "60")
    await page.fill("#f-criteria-1-name", "Residents like it")
    await page.fill("#f-criteria-1-weight", "40")
    await page.fill("#f-kpis-0-name", "Peak temperature drop")
    await page.fill("#f-kpis-0-unit", "°C")
    await page.fill("#f-kpis-0-target", "2")
    await page.fill("#f-kpis-1-name", "Residents satisfied")
    await page.fill("#f-kpis-1-unit", "%")
    await page.fill("#f-kpis-1-target", "60")
    await page.fill("#f-proposals_close_at", closes)
    await page.fill("#f-review_deadline", review_by)
    await city.check("draft-form", main=True)
    await page.click("text=Save the draft")
    await page.wait_for_url("**/city/challenges/*")
    assert "The draft is saved" in await city.flash()
    await city.check("draft")

    await page.click("text=Check and publish")
    await page.wait_for_url("**/publish")
    answers = squeeze(await page.text_content(".answers"))
    assert TITLE in answers and "Cooling: 60%" in answers
    await city.check("publish")
    await page.click("text=Publish the challenge")
    await page.wait_for_url("**/city/challenges/*")
    assert "The challenge is published" in await city.flash()
    current = page.locator('ol.timeline li[aria-current="step"]')
    assert "Open for proposals" in squeeze(await current.text_content())
    await city.check("challenge-open", main=True)
    return int(page.url.rsplit("/", 1)[1].split("?")[0].split("#")[0])


# -- a resident on the problem, startups with their proposals ------------------------------


async def resident_gives_input_on_the_problem(fatima: Visitor, challenge_id: int) -> None:
    page = fatima.page
    await page.goto(f"/challenges/{challenge_id}")
    assert await page.get_attribute("html", "lang") == "nl"  # her browser asks for Dutch
    current = page.locator('ol.timeline li[aria-current="step"]')
    assert "Open voor voorstellen" in squeeze(await current.text_content())
    await page.click("#follow button[type=submit]")
    await page.wait_for_load_state()
    assert "U volgt deze uitdaging" in await fatima.flash()
    await fatima.check("challenge-followed")
    await page.fill("#f-body", "Graag schaduw bij de bankjes, en geen extra beton.")
    await page.click("#give-input button[type=submit]")
    await page.wait_for_load_state()
    mine = squeeze(await page.locator(".item--mine").first.text_content())
    assert "Graag schaduw bij de bankjes" in mine and "Ontvangen" in mine
    await fatima.check("challenge-open", main=True)


async def startup_sends_a_proposal(
    startup: Visitor, title: str, summary: str, budget: str, *, main: bool = False
) -> None:
    page = startup.page
    await page.click("nav.site-nav >> text=My proposals")
    assert "You have not sent a proposal yet." in await startup.text()
    await startup.check("overview-empty")
    await page.click(f"text=Write a proposal for “{TITLE}”")
    assert await page.text_content("h1") == "Your proposal"
    await page.fill("#f-title", title)
    await page.fill("#f-summary", summary)
    await page.fill("#f-budget_eur", budget)
    await startup.check("proposal-form", main=main)
    await page.click("button[value=submit]")
    await page.wait_for_load_state()
    assert "/proposals/" in page.url
    assert "Your proposal is sent" in await startup.flash()
    assert title in await startup.text("h1")
    await startup.check("proposal", main=main)


# -- review --------------------------------------------------------------------------------


async def city_screens_and_assigns(city: Visitor, challenge_id: int) -> None:
    page = city.page
    await page.goto("/city")
    card = page.locator(".card", has_text=TITLE)
    waiting = await city.until_shown("2 proposals to screen", ".card")
    assert "1 resident input to answer" in waiting  # the resident's, on the problem
    await city.check("dashboard-review", main=True)
    await card.locator("text=2 proposals to screen").click()
    assert "/review" in page.url

    await page.click(f"#to-screen >> text={MISTING}")
    assert await page.text_content("h1") == MISTING
    await page.check("input[name=eligible][value=true]")
    await city.check("screening", main=True)
    await page.click("text=Save the screening")
    await page.wait_for_load_state()
    assert "The proposal is screened" in await city.flash()
    await city.check("review-screened")

    await page.click(f"#to-screen >> text={ASPHALT}")
    await city.check("screening-2")
    await page.check("input[name=eligible][value=false]")
    await page.click("text=Save the screening")  # without the reason the startup reads
    await page.wait_for_load_state()
    assert "Say why it is not eligible" in await city.text("[data-error-summary]")
    assert await page.get_attribute("#f-reason", "aria-invalid") == "true"
    await city.check("screening-error")
    await page.fill("#f-reason", "Dark asphalt makes the streets hotter, not cooler.")
    await page.click("text=Save the screening")
    await page.wait_for_load_state()
    assert "The proposal is screened" in await city.flash()
    assert "Every proposal is screened." in await city.text("#to-screen")
    screened = await city.text("table")
    assert "Not eligible" in screened and "makes the streets hotter" in screened

    assert "No evaluators yet" in await city.text("table")
    for box in await page.locator("input[name=evaluator_ids]").all():
        await box.check()
    await city.check("review", main=True)
    await page.click("text=Assign the evaluators")
    await page.wait_for_load_state()
    assert "The evaluators are assigned" in await city.flash()
    assert "0 of 2 scored" in await city.text("table")
    await city.check("review-assigned")


async def evaluator_scores(
    evaluator: Visitor, marks: tuple[str, str], *, main: bool = False
) -> None:
    page = evaluator.page
    await page.goto("/evaluator")
    assert await page.text_content("h1") == "My assignments"
    todo = await evaluator.text("#todo")
    assert MISTING in todo and ASPHALT not in todo  # the ineligible one is not scored
    await evaluator.check("home", main=main)
    await page.click(f"#todo >> text={MISTING}")
    assert await page.text_content("h1") == MISTING
    await evaluator.check("sheet-empty")
    for i, mark in enumerate(marks):
        await page.fill(f"#f-scores-{i}-score", mark)
        await page.fill(f"#f-scores-{i}-comment", "Cools the square; residents were asked.")
    await page.click("text=Save scores")
    await page.wait_for_load_state()
    assert "Every criterion is scored" in await evaluator.flash()
    await evaluator.check("sheet", main=main)
    await page.click("text=Back to my assignments")
    assert MISTING in await evaluator.text("#done")
    await evaluator.check("home-done")


# -- selection and the pilot's agreement -----------------------------------------------------


async def city_approves_the_shortlist(city: Visitor, challenge_id: int) -> int:
    page = city.page
    await page.goto("/city")
    await city.until_shown("Approve the shortlist", ".card")  # every proposal scored
    await page.locator(".card", has_text=TITLE).locator("text=Approve the shortlist").click()
    assert "/ranking" in page.url
    ranking = await city.text(".ranking")
    assert MISTING in ranking and ASPHALT not in ranking
    # The box to check says the score it is ranked by and the weighted score in plain
    # figures: alone in its ranking, a proposal's normalised score is 0.
    assert "weighted score 7.7 of 10" in await city.text("#shortlist")
    await city.check("ranking", main=True)
    await page.click("#shortlist button[type=submit]")  # "Continue": the first is checked
    await page.wait_for_load_state()
    assert await page.text_content("#confirm-title") == "Approve this shortlist?"
    assert MISTING in await city.text(".answers")
    await city.check("shortlist-confirm")
    await page.click("text=Yes, approve the shortlist")
    await page.wait_for_load_state()
    assert "The shortlist is approved" in await city.flash()
    pilots = await city.until_shown(MISTING, "main")
    assert "Agreement being made" in pilots
    await city.check("challenge-selected", main=True)
    await page.click(f"#pilots >> text={MISTING}")
    return int(page.url.rsplit("/", 1)[1])


async def city_sets_the_agreement(
    city: Visitor, pilot_id: int, starts: str, ends: str, first_due: str
) -> None:
    page = city.page
    assert "/city/pilots/" in page.url
    assert "To set by you" in await city.text(".facts")
    await page.fill("#f-starts_at", starts)
    await page.fill("#f-ends_at", ends)
    await page.fill("#f-budget_eur", "45000")
    await page.fill("#f-milestones-0-title", "Forty poles installed")
    await page.fill("#f-milestones-0-due_at", first_due)
    await city.check("agreement", main=True)
    await page.click("text=Save the agreement")
    await page.wait_for_load_state()
    assert "The agreement is set" in await city.flash()
    assert "Waiting for the startup" in await city.text(".facts")
    await city.check("agreement-set")


async def startup_accepts(startup: Visitor, pilot_id: int) -> None:
    page = startup.page
    await page.click("nav.site-nav >> text=My proposals")
    await startup.check("overview-selected")
    await page.click(f"main a[href='/pilots/{pilot_id}']")
    assert await page.text_content("h1") == MISTING
    assert "The city has set the agreement" in await startup.text("#todo-title + p")
    assert "Forty poles installed" in await startup.text("#milestones")
    await startup.check("pilot-agreement", main=True)
    await page.click("text=Accept the agreement")
    await page.wait_for_load_state()
    assert "You accepted the agreement" in await startup.flash()
    await startup.check("pilot-accepted")


# -- the pilot runs --------------------------------------------------------------------------


async def startup_reports_indicators(startup: Visitor, pilot_id: int) -> None:
    page = startup.page
    await page.goto(f"/pilots/{pilot_id}")
    await startup.until_shown("Running", ".caption")
    await page.click("text=Mark “Forty poles installed” complete")
    await page.fill("#f-note", "All forty poles stand; two moved for the market stalls.")
    await startup.check("milestone")
    await page.click("text=Mark as complete")
    await page.wait_for_load_state()
    assert "The milestone is marked complete" in await startup.flash()
    assert "two moved for the market stalls" in await startup.text("#milestones")
    await startup.check("milestone-done")
    await page.click("text=Report indicators")
    assert await page.text_content("h1") == "Report indicators"
    fields = page.locator("main form input[inputmode=decimal]")
    await fields.nth(0).fill("2.4")
    await fields.nth(1).fill("72")
    await page.fill("#f-note", "Measured on three hot afternoons with the lamppost sensors.")
    await startup.check("kpi-report")
    await page.click("text=File report")
    await page.wait_for_load_state()
    assert "Your KPI report is filed" in await startup.flash()
    kpis = await startup.text("#kpis")
    assert "2.4 °C" in kpis and "Met" in kpis
    await startup.check("pilot-running", main=True)


async def resident_rates_the_pilot(
    resident: Visitor, challenge_id: int, pilot_id: int, *, dutch: bool
) -> None:
    page = resident.page
    await page.goto(f"/challenges/{challenge_id}")
    pilots = await resident.text("#pilots-title + ul")
    assert MISTING in pilots and ("Loopt" if dutch else "Running") in pilots
    await resident.check("challenge-piloting")
    await page.click(
        "text=Bekijk hoe het gaat en geef uw beoordeling"
        if dutch
        else "text=See how it does and give your rating"
    )
    assert f"/pilots/{pilot_id}" in page.url
    assert ("2,4 °C" if dutch else "2.4 °C") in await resident.text("#kpis")
    body = (
        "Veel koeler bij de bushalte, maar de palen zoemen 's nachts."
        if dutch
        else "Much cooler at the bus stop in the afternoon."
    )
    await page.fill("#f-body", body)
    await page.check("input[name=rating][value='4']" if dutch else "input[name=rating][value='5']")
    await page.click("#give-input button[type=submit]")
    await page.wait_for_load_state()
    assert "#input-" in page.url
    thanks = (
        "Uw reactie op de pilot is ontvangen" if dutch else "Your input on the pilot was received"
    )
    assert thanks in await resident.flash()
    assert body in await resident.text("#residents")
    await resident.check("pilot", main=True)


async def evaluator_scores_the_pilot(evaluator: Visitor, pilot_id: int) -> None:
    page = evaluator.page
    await page.goto("/evaluator")
    await evaluator.until_shown("1 pilot to evaluate")
    await page.click(f"#pilots >> text={MISTING}")
    assert f"/evaluator/pilots/{pilot_id}" in page.url
    assert "2.4" in await evaluator.text("#kpi-title + table")
    await page.fill("#f-score", "8")
    await page.fill("#f-comment", "Cooler by more than two degrees; residents like it.")
    await evaluator.check("pilot", main=True)
    await page.click("text=Save evaluation")
    await page.wait_for_load_state()
    assert "Your evaluation of the pilot is saved" in await evaluator.flash()
    await evaluator.check("pilot-scored")


# -- the city answers and decides --------------------------------------------------------------


async def city_answers_the_residents(city: Visitor, challenge_id: int) -> None:
    page = city.page
    await page.goto("/city")
    card = page.locator(".card", has_text=TITLE)
    waiting = squeeze(await card.text_content())
    assert "1 pilot decision to take" in waiting and "3 resident inputs to answer" in waiting
    await page.goto(f"/city/challenges/{challenge_id}/inputs")
    shown = await city.text()
    assert "Graag schaduw bij de bankjes" in shown and "Much cooler at the bus stop" in shown
    assert await page.text_content(".filters a[aria-current=page]") == "All"
    rated = await city.text(".item:has-text('zoemen')")
    assert f"On the pilot “{MISTING}”" in rated and "Rating: 4 of 5" in rated
    await city.check("inputs", main=True)
    answers = {
        "Graag schaduw bij de bankjes": "Schaduw bij de bankjes is nu een eis in de uitdaging.",
        "de palen zoemen": "We vragen Koelte BV de palen 's nachts stiller te maken.",
        "Much cooler at the bus stop": "Thank you: the bus stop keeps its pole.",
    }
    for said, answer in answers.items():
        await page.goto(f"/city/challenges/{challenge_id}/inputs")
        item = page.locator(".item", has_text=said)
        await item.locator("a", has_text="Answer it").click()
        assert "Input of" in await city.text("h1")
        await city.check("input")
        await page.fill("#f-body", answer)
        await page.click("text=Publish the answer")
        await page.wait_for_load_state()
        assert "Your answer is published" in await city.flash()
        await city.check("input-answered")
    await page.goto(f"/city/challenges/{challenge_id}/inputs")
    assert "Received" not in await city.text("ul.plain-list")


async def city_scales_up(city: Visitor, challenge_id: int, pilot_id: int, rollout: str) -> None:
    page = city.page
    await page.goto(f"/city/challenges/{challenge_id}")
    await page.click(f"#pilots >> text={MISTING}")
    facts = await city.text("main")
    assert "Being evaluated" in facts and "Mean score: 8 of 10" in facts
    # Before deciding: what residents said about this pilot, and how the city answered.
    await page.click("text=Read and answer what residents said about this pilot")
    said = await city.text()
    assert f"Only the input on the pilot “{MISTING}”" in said
    assert "de palen zoemen" in said and "Graag schaduw" not in said  # not the problem's
    assert "Thank you: the bus stop keeps its pole." in said
    await city.check("inputs-on-the-pilot")
    await page.go_back()
    await page.check("input[name=decision][value=scale_up]")
    await page.fill("#f-reason", "Cooler by 2.4 °C where the poles stand; residents rate it well.")
    await page.fill("#f-plan-budget_eur", "400000")
    await page.select_option("#f-plan-procurement_route", "innovation_partnership")
    await page.fill("#f-plan-areas", "Zuid\nOost")
    await page.fill("#f-plan-starts_at", rollout)
    await city.check("decision", main=True)
    await page.click("#decision button[type=submit]")
    await page.wait_for_load_state()
    assert await page.text_content("#confirm-title") == "Confirm the decision"
    answers = await city.text(".answers")
    assert "Scale it up" in answers and "Innovation partnership" in answers
    await city.check("decision-confirm")
    await page.click("text=Yes, record the decision")
    await page.wait_for_load_state()
    assert "The decision is recorded and published" in await city.flash()
    assert "Scale it up" in await city.text("#decisions-title + ul")
    await city.check("decided")
    await page.goto(f"/city/challenges/{challenge_id}")
    await city.until_shown("Closed", ".caption")
    await city.check("challenge-closed", main=True)


# -- the outcome, for everyone --------------------------------------------------------------


async def everyone_reads_the_outcome(
    chromium: Any,
    served: Any,
    contexts: list[Any],
    fatima: Visitor,
    challenge_id: int,
    shoot: Path | None,
) -> None:
    context = await chromium.new_context(viewport=DESKTOP, base_url=served.base_url, locale="en-GB")
    contexts.append(context)
    anyone = Visitor(await context.new_page(), "public", DESKTOP, shoot)
    page = anyone.page
    await page.goto("/")
    await anyone.check("home")
    await page.click(f"text={TITLE}")
    current = page.locator('ol.timeline li[aria-current="step"]')
    assert "Closed" in squeeze(await current.text_content())
    await anyone.check("challenge-closed", main=True)
    await page.click("text=Read the outcome report")
    report = await anyone.text()
    assert "You said, we did" in report and "Scale up" in report
    assert MISTING in report and "Koelte BV" in report and "1 of 1 done" in report
    assert "Schaduw bij de bankjes is nu een eis" in report
    assert "2.4 °C" in report
    await anyone.check("report", main=True)

    # The resident, in Dutch on her phone: the report, and her input answered on her page.
    page = fatima.page
    await page.goto(f"/challenges/{challenge_id}")
    await page.click("text=Lees het verslag van de uitkomst")
    report = await fatima.text()
    assert "U zei, wij deden" in report and "Opgeschaald" in report
    assert "We vragen Koelte BV de palen 's nachts stiller te maken." in report
    await fatima.check("report", main=True)
    await page.goto("/me")
    mine = await fatima.text()
    assert "Beantwoord" in mine and "Schaduw bij de bankjes is nu een eis" in mine
    await fatima.check("me", main=True)
