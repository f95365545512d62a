"""Accounts managed by e-mail, in a real browser with a real SMTP server: the city
invites an evaluator from its console, who chooses a password from the mail, lands on
the evaluator's page and, once the city has assigned her by name to a challenge in
review, scores its proposal; a resident who forgot the password asks for a link on the
sign-in page, follows it from the mail and chooses a new one. axe-core checks every
page on the way.

The challenge and its proposal are made through the API (the subject here is the
invitation): its call closes when the test moves the clock of the module's
time-skipping Temporal server (``browser_temporal``), and the dates sent are counted
from that clock; nothing waits on the wall clock for a deadline."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from temporalio.testing import WorkflowEnvironment

from schemas.common import Role
from service.auth.services import AccountService
from service.settings import Settings
from tests.actors import PASSWORD, Account, Actors
from tests.browser.conftest import DESKTOP, WCAG
from tests.builders import challenge_body, screen, submit, wait_for_phase
from tests.conftest import NO_TEMPORAL, TEST_JWT_SECRET
from tests.feedback import SmtpSink, text_of
from tests.processes import free_port
from tests.security.served import ThreadedApi
from tests.stack import ThreadedWorker, eventually

NEW_PASSWORD = "lanterns along the quiet canal"
PROPOSAL = "Shade sails over the Marktplein benches"
_axe = Axe()


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink(free_port()).start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def served_with_mail(
    browser_database_url: str, tmp_path_factory: pytest.TempPathFactory, smtp: SmtpSink
) -> Iterator[ThreadedApi]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("mail-data"),
        database_url=browser_database_url,
        temporal_address=NO_TEMPORAL,
        task_queue=f"proeftuin-mail-{uuid.uuid4().hex[:8]}",
        jwt_secret=TEST_JWT_SECRET,
        signups_per_ip=1000,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_tls="none",
        smtp_from="Proeftuin <proeftuin@city.example>",
    )
    api = ThreadedApi(settings).start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def served_with_mail_and_workflows(
    browser_database_url: str,
    browser_temporal: WorkflowEnvironment,
    tmp_path_factory: pytest.TempPathFactory,
    smtp: SmtpSink,
) -> Iterator[ThreadedApi]:
    """As ``served_with_mail``, with a worker on the time-skipping Temporal server, for
    a challenge whose call closes and whose review moves on."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("mail-workflows-data"),
        database_url=browser_database_url,
        temporal_address=browser_temporal.client.service_client.config.target_host,
        task_queue=f"proeftuin-mail-workflows-{uuid.uuid4().hex[:8]}",
        jwt_secret=TEST_JWT_SECRET,
        time_zone="Europe/Amsterdam",
        signups_per_ip=1000,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_tls="none",
        smtp_from="Proeftuin <proeftuin@city.example>",
    )
    worker = ThreadedWorker(settings).start()
    api = ThreadedApi(settings).start()
    yield api
    api.stop()
    worker.stop()


async def no_violations(page: Any, name: str) -> None:
    results = await _axe.run(page, options=WCAG)
    assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"


async def register(base_url: str, email: str, name: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(
            "/api/auth/register",
            json={"email": email, "password": PASSWORD, "role": "resident", "display_name": name},
        )
        assert response.status_code == 201, response.text


async def mail_link(smtp: SmtpSink, email: str, path: str) -> str:
    async def found() -> list[Any]:
        return smtp.to(email)

    [mail] = await eventually(found, lambda mails: len(mails) == 1, timeout=15)
    [link] = re.findall(rf"https?://\S+{re.escape(path)}\S*", text_of(mail))
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def test_a_resident_resets_a_forgotten_password(
    chromium: Any, served_with_mail: ThreadedApi, smtp: SmtpSink, screenshots: Path
) -> None:
    base_url = served_with_mail.base_url
    await register(base_url, "noor.reset@example.org", "Noor")
    context = await chromium.new_context(viewport=DESKTOP, locale="en-GB")
    page = await context.new_page()
    try:
        await page.goto(base_url + "/login")
        await page.get_by_role("link", name="Forgot your password?").click()
        await page.get_by_role("heading", name="Forgot your password?").wait_for()
        await no_violations(page, "forgot password")
        await page.get_by_label("E-mail address").fill("noor.reset@example.org")
        await page.get_by_role("button", name="Send me a link").click()
        await page.get_by_role("heading", name="Check your e-mail").wait_for()
        await no_violations(page, "check your e-mail")

        link = await mail_link(smtp, "noor.reset@example.org", "/password-reset/new")
        await page.goto(base_url + link)
        await page.get_by_role("heading", name="Choose a new password").wait_for()
        await no_violations(page, "choose a new password")
        await page.get_by_label("New password").fill("password12")
        await page.get_by_role("button", name="Set my new password").click()
        await page.get_by_role("alert").wait_for()
        await no_violations(page, "a guessable new password refused")
        await page.get_by_label("New password").fill(NEW_PASSWORD)
        await page.get_by_role("button", name="Set my new password").click()
        await page.wait_for_url(base_url + "/me")
        await page.get_by_text("Your new password is set. You are signed in.").wait_for()
        await page.screenshot(path=str(screenshots / "password-reset-done.png"), full_page=True)

        # The link worked once; the new password signs in.
        await page.goto(base_url + link)
        await page.get_by_role("heading", name="This link no longer works").wait_for()
        await no_violations(page, "a used link")
        async with httpx.AsyncClient(base_url=base_url) as client:
            login = await client.post(
                "/api/auth/login",
                json={"email": "noor.reset@example.org", "password": NEW_PASSWORD},
            )
            assert login.status_code == 200
    finally:
        await context.close()


async def challenge_in_review_with_a_proposal(
    base_url: str, sessions: Any, city: Account, temporal: WorkflowEnvironment
) -> int:
    """A published challenge with one proposal, screened eligible after its call
    closed, made through the API; its dates counted from the workflows' clock."""
    now = await temporal.get_current_time()
    close_in = timedelta(days=10)
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        startup = await Actors(client, sessions).startup("Schaduw BV")  # type: ignore[arg-type]
        body = challenge_body(
            proposals_close_at=(now + close_in).isoformat(),
            review_deadline=(now + close_in + timedelta(days=20)).isoformat(),
        )
        created = await client.post("/api/challenges", json=body, headers=city.headers)
        assert created.status_code == 201, created.text
        challenge_id: int = created.json()["id"]
        published = await client.post(
            f"/api/challenges/{challenge_id}/publish", headers=city.headers
        )
        assert published.json()["phase"] == "open", published.text
        sent = await submit(client, startup, challenge_id, title=PROPOSAL)  # type: ignore[arg-type]
        assert sent.status_code == 201, sent.text
        # The call closes: its deadline passes on the workflows' clock.
        await temporal.sleep(close_in + timedelta(hours=1))
        phase = await wait_for_phase(client, challenge_id, "review")  # type: ignore[arg-type]
        assert phase == "review"
        await screen(client, city, sent.json()["id"])  # type: ignore[arg-type]
    return challenge_id


async def test_the_city_invites_an_evaluator_who_sets_a_password_from_the_mail_and_scores(
    chromium: Any,
    served_with_mail_and_workflows: ThreadedApi,
    smtp: SmtpSink,
    browser_sessions: Any,
    browser_temporal: WorkflowEnvironment,
    screenshots: Path,
) -> None:
    base_url = served_with_mail_and_workflows.base_url
    async with browser_sessions() as session:
        iris = await AccountService(session).create(
            "iris@city.example.org", PASSWORD, Role.CITY, "Iris Jansen"
        )
        iris_id = iris.id
    assert iris_id is not None
    async with httpx.AsyncClient(base_url=base_url) as client:
        token = await Actors(client, browser_sessions).login(  # type: ignore[arg-type]
            "iris@city.example.org"
        )
    city_account = Account(iris_id, "iris@city.example.org", Role.CITY, "Iris Jansen", token)
    challenge_id = await challenge_in_review_with_a_proposal(
        base_url, browser_sessions, city_account, browser_temporal
    )

    city = await chromium.new_context(viewport=DESKTOP, locale="en-GB")
    page = await city.new_page()
    try:
        await page.goto(base_url + "/login?next=/city/accounts")
        await page.get_by_label("E-mail address").fill("iris@city.example.org")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_role("heading", name="Accounts", exact=True).wait_for()
        await no_violations(page, "accounts")
        await page.get_by_label("Name").fill("Sanne de Vries")
        await page.get_by_label("E-mail address").fill("sanne@evaluators.example.org")
        await page.get_by_label("Role").select_option("evaluator")
        await page.get_by_role("button", name="Send the invitation").click()
        await page.get_by_text("The invitation is on its way.").wait_for()
        row = page.get_by_role("row").filter(has_text="sanne@evaluators.example.org")
        await row.get_by_text("Invited").wait_for()
        await no_violations(page, "accounts after inviting")
        await page.screenshot(path=str(screenshots / "city-accounts.png"), full_page=True)
        # The invitation, before anything else is mailed to her.
        link = await mail_link(smtp, "sanne@evaluators.example.org", "/invitation")

        # The invited evaluator, no password yet, is among those the city may assign.
        await page.goto(f"{base_url}/city/challenges/{challenge_id}/review")
        evaluators = page.locator("#evaluators")
        await evaluators.get_by_label("Sanne de Vries", exact=True).check()
        await no_violations(page, "review with the invited evaluator")
        await evaluators.get_by_role("button", name="Assign the evaluators").click()
        await page.get_by_text("The evaluators are assigned").wait_for()
        screened = page.get_by_role("row").filter(has_text=PROPOSAL)
        await screened.get_by_text("0 of 1 scored").wait_for()
        await no_violations(page, "review after assigning")
    finally:
        await city.close()

    evaluator = await chromium.new_context(viewport=DESKTOP, locale="en-GB")
    page = await evaluator.new_page()
    try:
        await page.goto(base_url + link)
        await page.get_by_role("heading", name="Choose your password").wait_for()
        await no_violations(page, "invitation")
        await page.get_by_label("Password").fill(NEW_PASSWORD)
        await page.get_by_role("button", name="Set my password and sign in").click()
        await page.wait_for_url(base_url + "/evaluator")
        await page.get_by_text("Your password is set. You are signed in.").wait_for()
        await no_violations(page, "the evaluator's page")

        await page.locator("#todo").get_by_role("link", name=PROPOSAL).click()
        await page.get_by_role("heading", name=PROPOSAL, level=1).wait_for()
        await no_violations(page, "the scoring sheet")
        marks = page.locator("main input[id^=f-scores-][id$=-score]")
        criteria = await marks.count()
        assert criteria == len(challenge_body()["criteria"])
        for n in range(criteria):
            await marks.nth(n).fill(str(8 - n))
            await page.fill(f"#f-scores-{n}-comment", "Shade where people sit; cheap to keep.")
        await page.get_by_role("button", name="Save scores", exact=True).click()
        await page.get_by_text("Every criterion is scored").wait_for()
        await no_violations(page, "the scoring sheet saved")
        await page.get_by_role("link", name="Back to my assignments").click()
        await page.wait_for_url(base_url + "/evaluator")
        done = page.locator("#done .eval-item", has_text=PROPOSAL)
        await done.get_by_text("Done", exact=True).wait_for()
        assert await page.locator("#todo").get_by_role("link", name=PROPOSAL).count() == 0
        await no_violations(page, "the evaluator's page with the proposal scored")
    finally:
        await evaluator.close()


async def test_a_sign_up_with_a_known_address_says_nothing_of_it(
    chromium: Any, served_with_mail: ThreadedApi, smtp: SmtpSink
) -> None:
    """The page reached tells nothing of an account (the owner is mailed instead), and
    the API's answer is the one a new address gets."""
    base_url = served_with_mail.base_url
    await register(base_url, "anne.known@example.org", "Anne")
    async with httpx.AsyncClient(base_url=base_url) as client:
        answers = [
            await client.post(
                "/api/auth/register",
                json={
                    "email": email,
                    "password": "a different long passphrase",
                    "role": "resident",
                    "display_name": "Someone",
                },
            )
            for email in ("anne.known@example.org", "anne.new@example.org")
        ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() | {"email": ""} == answers[1].json() | {"email": ""}

    context = await chromium.new_context(viewport=DESKTOP, locale="en-GB")
    page = await context.new_page()
    try:
        await page.goto(base_url + "/register")
        await page.get_by_label("A resident").check()
        await page.get_by_label("Name", exact=True).fill("Someone")
        await page.get_by_label("E-mail address").fill("anne.known@example.org")
        await page.get_by_label("Password").fill("a different long passphrase")
        await page.get_by_role("button", name="Create account").click()
        await page.get_by_text("Sign in with your e-mail address and password.").wait_for()
        assert "already" not in (await page.text_content("main") or "")
        await no_violations(page, "after a sign-up with a known address")
    finally:
        await context.close()

    async def found() -> list[Any]:
        return smtp.to("anne.known@example.org")

    mails = await eventually(found, lambda mails: len(mails) == 2, timeout=15)
    assert {m["Subject"] for m in mails} == {
        "Someone tried to sign up to Proeftuin with your e-mail address"
    }
