"""The startup's pages: the proposal form with its saved draft, a proposal's page (who
may open it, editing until the deadline, withdrawing, the city's questions, the
outcome), the overview, and the pilot's page with the startup's actions on it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import func, select

from schemas.common import ChallengePhase
from service.challenges.models import Challenge
from service.proposals.models import Proposal, ProposalDraft
from tests.builders import challenge_in_piloting, challenge_in_review, iso, submit, wait_for_pilot
from tests.web.conftest import add_challenge
from tests.web.pages import csrf_field, post_form, sign_in, text_of

DRAFT = {"title": "Misting poles", "summary": "Poles that mist water.", "budget_eur": "9.500"}


async def open_call(sessions, city, title: str = "Cooler streets") -> dict:
    """An open challenge as its workflow leaves it (budget cap €10,000), no Temporal."""
    return {"id": await add_challenge(sessions, city.id, title)}


async def _count(sessions, model) -> int:
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def _set_challenge(sessions, challenge_id: int, **values) -> None:
    """Move a challenge's recorded phase or deadline, as the workflow would."""
    async with sessions() as session:
        challenge = await session.get(Challenge, challenge_id)
        for key, value in values.items():
            setattr(challenge, key, value)
        session.add(challenge)
        await session.commit()


def field_tag(html: str, name: str) -> str:
    match = re.search(rf'<(?:input|textarea)[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, f"no field {name}"
    return match.group(0)


async def test_a_draft_is_saved_comes_back_and_is_sent(api, actors, sessions):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_call(sessions, city)
    form_path = f"/challenges/{challenge['id']}/proposals/new"
    await sign_in(api, startup)

    empty = await api.get(form_path)
    assert empty.status_code == 200
    text = text_of(empty.text)
    assert "left" in text and "The call closes on" in text
    assert 'name="budget_eur"' in empty.text and 'value="draft"' in empty.text
    assert "Discard draft" not in text

    saved = await post_form(api, form_path, form_path, {**DRAFT, "intent": "draft"})
    assert saved.status_code == 303 and saved.headers["location"] == form_path
    again = await post_form(api, form_path, form_path, {**DRAFT, "intent": "draft"})
    assert again.status_code == 303
    assert await _count(sessions, ProposalDraft) == 1  # saved twice, kept once
    assert await _count(sessions, Proposal) == 0  # a draft is not a proposal

    back = await api.get(form_path)
    assert "Your draft is saved" in back.text
    assert 'value="Misting poles"' in field_tag(back.text, "title")
    assert 'value="9.500"' in field_tag(back.text, "budget_eur")  # as typed
    assert "Poles that mist water." in back.text and "Discard draft" in back.text
    reloaded = await api.get(form_path)  # a reload shows it and writes nothing
    assert "Your draft is saved" not in reloaded.text and "This is your draft" in reloaded.text
    assert await _count(sessions, ProposalDraft) == 1

    # The draft is the startup's own: the city's API read of the proposals shows nothing.
    listed = await api.get(f"/api/challenges/{challenge['id']}/proposals", headers=city.headers)
    assert listed.json()["items"] == []

    sent = await post_form(api, form_path, form_path, {**DRAFT, "intent": "submit"})
    assert sent.status_code == 303
    proposal_path = sent.headers["location"]
    assert re.fullmatch(r"/proposals/\d+", proposal_path)
    assert await _count(sessions, ProposalDraft) == 0
    page = await api.get(proposal_path)
    text = text_of(page.text)
    assert "Your proposal is sent" in text and "Misting poles" in text
    assert "€9,500" in text  # "9.500": a mark before three digits groups thousands
    proposal = (await api.get(f"/api/{proposal_path[1:]}", headers=startup.headers)).json()
    assert proposal["title"] == "Misting poles" and proposal["status"] == "submitted"


async def test_a_draft_is_discarded(api, actors, sessions):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_call(sessions, city)
    form_path = f"/challenges/{challenge['id']}/proposals/new"
    await sign_in(api, startup)
    await post_form(api, form_path, form_path, {**DRAFT, "intent": "draft"})
    page = await api.get(form_path)
    discarded = await api.post(
        f"/challenges/{challenge['id']}/proposals/draft/discard",
        data={"_csrf_token": csrf_field(page.text)},
        follow_redirects=False,
    )
    assert discarded.status_code == 303 and discarded.headers["location"] == form_path
    assert await _count(sessions, ProposalDraft) == 0
    shown = await api.get(form_path)
    assert "Your draft is discarded" in shown.text
    assert 'value="Misting poles"' not in shown.text


async def test_a_refused_proposal_keeps_what_was_typed(api, actors, sessions):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_call(sessions, city)
    form_path = f"/challenges/{challenge['id']}/proposals/new"
    await sign_in(api, startup)

    refused = await post_form(
        api,
        form_path,
        form_path,
        {"title": "", "summary": "<b>Bold</b> idea", "budget_eur": "lots"},
    )
    assert refused.status_code == 422
    html = refused.text
    assert 'role="alert"' in html and 'href="#f-title"' in html and 'href="#f-budget_eur"' in html
    assert "Give your proposal a title." in html
    title = field_tag(html, "title")
    assert 'aria-invalid="true"' in title and "f-title-error" in title
    assert 'value="lots"' in field_tag(html, "budget_eur")
    assert "&lt;b&gt;Bold&lt;/b&gt; idea" in html and "<b>Bold</b>" not in html
    assert 'aria-invalid="true"' not in field_tag(html, "summary")

    over = await post_form(
        api, form_path, form_path, {"title": "Big", "summary": "Costly.", "budget_eur": "60000"}
    )
    assert over.status_code == 422
    assert "The city funds a pilot with at most €10,000" in text_of(over.text)
    assert 'aria-invalid="true"' in field_tag(over.text, "budget_eur")
    assert await _count(sessions, Proposal) == 0


async def test_who_may_open_the_startup_pages(api, actors, sessions):
    city = await actors.city()
    owner, other = await actors.startup(), await actors.startup()
    resident, evaluator = await actors.resident(), await actors.evaluator()
    challenge = await open_call(sessions, city)
    created = await submit(api, owner, challenge["id"], budget_eur=5000)
    proposal_id = created.json()["id"]
    startup_pages = [
        "/startup",
        f"/challenges/{challenge['id']}/proposals/new",
        f"/proposals/{proposal_id}/edit",
        f"/proposals/{proposal_id}/withdraw",
    ]
    for path in [*startup_pages, f"/proposals/{proposal_id}"]:
        anonymous = await api.get(path, follow_redirects=False)
        assert anonymous.status_code == 303, path
        assert anonymous.headers["location"].startswith("/login?next="), path
    for account in (resident, evaluator, city):
        api.cookies.clear()
        await sign_in(api, account)
        for path in startup_pages:
            refused = await api.get(path)
            assert refused.status_code == 403, (account.role, path)
            assert "You cannot open this page" in refused.text
    # A proposal's page: exactly the API's answer for each reader.
    for account, expected in ((other, 403), (resident, 403), (evaluator, 403), (city, 200)):
        api.cookies.clear()
        await sign_in(api, account)
        page = await api.get(f"/proposals/{proposal_id}")
        api_answer = await api.get(f"/api/proposals/{proposal_id}", headers=account.headers)
        assert page.status_code == api_answer.status_code == expected, account.role
        if expected != 200:
            assert created.json()["summary"] not in page.text
    api.cookies.clear()
    await sign_in(api, other)
    assert (await api.get("/proposals/999999")).status_code == 404
    assert (await api.get(f"/proposals/{proposal_id}/edit")).status_code == 403
    assert (await api.get("/challenges/999999/proposals/new")).status_code == 404


async def test_every_startup_post_needs_the_csrf_token(api, actors, sessions):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_call(sessions, city)
    proposal_id = (await submit(api, startup, challenge["id"], budget_eur=5000)).json()["id"]
    await sign_in(api, startup)
    posts = {
        f"/challenges/{challenge['id']}/proposals/new": {**DRAFT, "intent": "submit"},
        f"/challenges/{challenge['id']}/proposals/draft/discard": {},
        f"/proposals/{proposal_id}/edit": DRAFT,
        f"/proposals/{proposal_id}/withdraw": {},
        "/info-requests/1/answer": {"body": "Yes", "proposal_id": str(proposal_id)},
        "/pilots/1/accept": {},
        "/pilots/1/decline": {"reason": "No time"},
        "/pilots/1/milestones/1/complete": {"note": ""},
        "/pilots/1/kpi-reports/new": {"values.0.value": "1"},
    }
    for path, data in posts.items():
        response = await api.post(path, data=data, follow_redirects=False)
        assert response.status_code == 403, path
    assert await _count(sessions, Proposal) == 1


async def test_a_proposal_is_changed_until_the_deadline_then_the_phase_says_why_not(
    api, actors, sessions
):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_call(sessions, city)
    proposal_id = (await submit(api, startup, challenge["id"], budget_eur=5000)).json()["id"]
    path = f"/proposals/{proposal_id}"
    await sign_in(api, startup)

    page = text_of((await api.get(path)).text)
    assert "Change proposal" in page and "Withdraw proposal" in page and "left" in page
    form = await api.get(f"{path}/edit")
    assert 'value="Misting poles"' in field_tag(form.text, "title")
    assert 'value="5000"' in field_tag(form.text, "budget_eur")

    changed = await post_form(
        api, f"{path}/edit", f"{path}/edit",
        {"title": "Misting poles 2", "summary": "Better poles.", "budget_eur": "4500"},
    )  # fmt: skip
    assert changed.status_code == 303 and changed.headers["location"] == path
    shown = text_of((await api.get(path)).text)
    assert "Your changes are saved." in shown and "Misting poles 2" in shown and "€4,500" in shown

    emptied = await post_form(
        api, f"{path}/edit", f"{path}/edit", {"title": "", "summary": "x", "budget_eur": "1"}
    )
    assert emptied.status_code == 422 and "Give your proposal a title." in emptied.text

    # The deadline passes before the startup sends its change: the form says so.
    form = await api.get(f"{path}/edit")
    token = csrf_field(form.text)
    await _set_challenge(
        sessions, challenge["id"], proposals_close_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    late = await api.post(
        f"{path}/edit",
        data={"title": "Too late", "summary": "x", "budget_eur": "1", "_csrf_token": token},
        follow_redirects=False,
    )
    assert late.status_code == 409
    text = text_of(late.text)
    assert "The call for proposals closed on" in text and "can no longer be changed" in text
    assert 'value="Too late"' in field_tag(late.text, "title")  # what was typed stays
    assert "Change proposal" not in text_of((await api.get(path)).text)

    # In review, the page names the phase.
    await _set_challenge(sessions, challenge["id"], phase=ChallengePhase.REVIEW)
    refused = await api.post(
        f"{path}/withdraw", data={"_csrf_token": token}, follow_redirects=False
    )
    assert refused.status_code == 409
    assert "This challenge is now in the phase “Review”" in text_of(refused.text)
    sent = await post_form(
        api, f"/challenges/{challenge['id']}/proposals/new",
        f"/challenges/{challenge['id']}/proposals/new", {**DRAFT, "intent": "draft"},
    )  # fmt: skip
    assert sent.status_code == 409 and "phase “Review”" in text_of(sent.text)


async def test_withdrawing_asks_first(api, actors, sessions):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_call(sessions, city)
    proposal_id = (await submit(api, startup, challenge["id"], budget_eur=5000)).json()["id"]
    path = f"/proposals/{proposal_id}"
    await sign_in(api, startup)
    check = await api.get(f"{path}/withdraw")
    text = text_of(check.text)
    assert "Withdraw your proposal?" in text and "This cannot be undone." in text
    assert "Misting poles" in text and "€5,000" in text
    done = await post_form(api, f"{path}/withdraw", f"{path}/withdraw", {})
    assert done.status_code == 303 and done.headers["location"] == path
    shown = text_of((await api.get(path)).text)
    assert "Your proposal is withdrawn." in shown and "You withdrew this proposal" in shown
    assert "Change proposal" not in shown
    api_view = await api.get(f"/api{path}", headers=startup.headers)
    assert api_view.json()["status"] == "withdrawn"
    again = await post_form(api, f"{path}/withdraw", f"{path}/withdraw", {})
    assert again.status_code == 409 and "withdrew this proposal already" in again.text


async def test_the_overview_lists_proposals_with_their_next_step(api, actors, sessions):
    city, startup = await actors.city(), await actors.startup()
    first = await open_call(sessions, city, "Cooler streets")
    second = await open_call(sessions, city, "Quieter nights")
    proposal_id = (await submit(api, startup, first["id"], budget_eur=5000)).json()["id"]
    await sign_in(api, startup)
    new_path = f"/challenges/{second['id']}/proposals/new"
    await post_form(api, new_path, new_path, {"title": "", "summary": "Half", "intent": "draft"})
    page = await api.get("/startup")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Drafts not sent yet" in text and "Untitled draft" in text and "Quieter nights" in text
    assert f'href="/proposals/{proposal_id}"' in page.text
    assert "Submitted" in text and "You can change it until" in text
    assert 'href="/startup" aria-current="page"' in page.text


async def test_the_startup_answers_the_city_reads_its_outcome_and_runs_its_pilot(
    api, actors, temporal
):
    city = await actors.city()
    startup, rival = await actors.startup("Mist BV"), await actors.startup()
    evaluators = [await actors.evaluator(), await actors.evaluator()]
    challenge, ids, pilots, now = await challenge_in_piloting(
        api, city, [startup, rival], evaluators, temporal, selected=1
    )
    proposal_id, pilot_id = ids[0], pilots[ids[0]]
    await sign_in(api, startup)

    # The outcome: its own scores, anonymised comments, and the way to its pilot.
    page = await api.get(f"/proposals/{proposal_id}")
    text = text_of(page.text)
    assert "Selected for a pilot." in text and "Ranked 1 of 2 proposals." in text
    assert "Impact" in text and f'href="/pilots/{pilot_id}"' in page.text
    assert "Proposal 2" not in text  # never another startup's proposal

    # The agreement: accept it (the pilot's workflow records it).
    start = now + timedelta(days=2)
    agreement = await api.post(
        f"/api/pilots/{pilot_id}/agreement",
        json={
            "starts_at": iso(start),
            "ends_at": iso(start + timedelta(days=30)),
            "budget_eur": 40000,
            "milestones": [{"title": "Poles installed", "due_at": iso(start + timedelta(days=5))}],
        },
        headers=city.headers,
    )
    assert agreement.status_code == 200, agreement.text
    pilot_path = f"/pilots/{pilot_id}"
    offered = text_of((await api.get(pilot_path)).text)
    assert "Accept the agreement" in offered and "Decline the agreement" in offered
    assert "€40,000" in offered and "Poles installed" in offered
    accepted = await post_form(api, pilot_path, f"{pilot_path}/accept", {})
    assert accepted.status_code == 303, accepted.text
    assert "You accepted the agreement" in (await api.get(pilot_path)).text

    await temporal.sleep(timedelta(days=3))
    assert await wait_for_pilot(api, pilot_id, "running") == "running"
    pilot = (await api.get(f"/api{pilot_path}", headers=startup.headers)).json()
    milestone_id = pilot["milestones"][0]["id"]

    milestone_path = f"{pilot_path}/milestones/{milestone_id}/complete"
    done = await post_form(api, milestone_path, milestone_path, {"note": "All <b>12</b> poles up."})
    assert done.status_code == 303

    report_path = f"{pilot_path}/kpi-reports/new"
    refused = await post_form(
        api, report_path, report_path, {"values.0.value": "", "values.1.value": "many"}
    )
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in field_tag(refused.text, "values.1.value")
    assert 'value="many"' in field_tag(refused.text, "values.1.value")
    filed = await post_form(
        api,
        report_path,
        report_path,
        {"values.0.value": "2.5", "values.1.value": "", "note": "Hot week"},
    )
    assert filed.status_code == 303 and filed.headers["location"] == f"{pilot_path}#kpis"
    shown = await api.get(pilot_path)
    text = text_of(shown.text)
    assert "Your KPI report is filed." in text
    assert "Peak temperature drop 2.5 °C at least 2 °C Met" in text
    assert "Resident satisfaction – at least 70 % Not reported yet" in text
    assert "Hot week" in text and "All &lt;b&gt;12&lt;/b&gt; poles up." in shown.text
    assert '<svg class="kpi-bar"' in shown.text

    # The public sees the values but not the startup's notes, as the API shows them.
    api.cookies.clear()
    public = await api.get(pilot_path)
    assert public.status_code == 200
    assert "Peak temperature drop" in public.text and "Hot week" not in public.text
    assert "poles up" not in public.text and "Report indicators" not in public.text
    # Another startup cannot act on it.
    await sign_in(api, rival)
    assert (await api.get(report_path)).status_code == 403
    assert (await post_form(api, pilot_path, f"{pilot_path}/accept", {})).status_code == 403


async def test_declining_asks_for_the_reason(api, actors, temporal):
    city, startup = await actors.city(), await actors.startup()
    evaluators = [await actors.evaluator()]
    _, ids, pilots, now = await challenge_in_piloting(api, city, [startup], evaluators, temporal)
    pilot_id = pilots[ids[0]]
    response = await api.post(
        f"/api/pilots/{pilot_id}/agreement",
        json={
            "starts_at": iso(now + timedelta(days=3)),
            "ends_at": iso(now + timedelta(days=30)),
            "budget_eur": 30000,
        },
        headers=city.headers,
    )
    assert response.status_code == 200, response.text
    await sign_in(api, startup)
    path = f"/pilots/{pilot_id}/decline"
    check = text_of((await api.get(path)).text)
    assert "Decline the agreement?" in check and "€30,000" in check
    refused = await post_form(api, path, path, {"reason": " "})
    assert refused.status_code == 422 and "Tell the city why you decline" in refused.text
    declined = await post_form(api, path, path, {"reason": "Our supplier stopped."})
    assert declined.status_code == 303
    shown = text_of((await api.get(f"/pilots/{pilot_id}")).text)
    assert "You declined the agreement" in shown and "Our supplier stopped." in shown
    assert "Accept the agreement" not in shown


async def test_the_city_asks_and_the_startup_answers_on_the_page(api, actors, temporal):
    city, startup = await actors.city(), await actors.startup()
    challenge, ids = await challenge_in_review(api, city, [startup], temporal)
    # Five days after the call closed, by the workflow's (skipped-ahead) clock.
    deadline = datetime.fromisoformat(challenge["proposals_close_at"]) + timedelta(days=5)
    asked = await api.post(
        f"/api/proposals/{ids[0]}/info-requests",
        json={"question": "Which water do the poles use?",
              "reply_deadline": iso(deadline)},
        headers=city.headers,
    )  # fmt: skip
    assert asked.status_code == 201, asked.text
    await sign_in(api, startup)
    path = f"/proposals/{ids[0]}"
    page = await api.get(path)
    text = text_of(page.text)
    assert "Which water do the poles use?" in text and "Answer by" in text
    assert "Change proposal" not in text  # the call is closed
    data = {"proposal_id": str(ids[0])}
    refused = await post_form(
        api, path, f"/info-requests/{asked.json()['id']}/answer", {**data, "body": ""}
    )
    assert refused.status_code == 422 and "Write your answer" in refused.text
    answered = await post_form(
        api, path, f"/info-requests/{asked.json()['id']}/answer", {**data, "body": "Rain water."}
    )
    assert answered.status_code == 303 and answered.headers["location"] == f"{path}#info-requests"
    shown = text_of((await api.get(path)).text)
    assert "Your answer is sent to the city." in shown and "Rain water." in shown
