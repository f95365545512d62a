"""The call for proposals opens at publish and closes by itself at its deadline,
durably: whatever happens to the worker in between, the close happens once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from service.challenges.models import PhaseTransition
from service.settings import Settings
from tests.builders import open_challenge, phase_of, submit
from tests.stack import ThreadedWorker, eventually
from workflows.challenge import ChallengeWorkflow


async def test_deadline_moves_the_challenge_to_review_and_late_proposals_get_409(
    api, actors, temporal: WorkflowEnvironment
):
    city = await actors.city()
    startups = [await actors.startup() for _ in range(3)]
    challenge = await open_challenge(api, city, close_in=timedelta(days=60))
    for n, startup in enumerate(startups):
        response = await submit(api, startup, challenge["id"], title=f"Idea number {n}")
        assert response.status_code == 201, response.text

    await temporal.sleep(timedelta(days=61))
    phase = await eventually(lambda: phase_of(api, challenge["id"]), lambda p: p == "review")
    assert phase == "review"

    detail = (await api.get(f"/api/challenges/{challenge['id']}")).json()
    timeline = [(entry["phase"], entry["actor"]) for entry in detail["timeline"]]
    # The public names who acted by role; the city's staff see the account.
    assert timeline == [("open", "city"), ("review", "timer")]
    staff = (await api.get(f"/api/challenges/{challenge['id']}", headers=city.headers)).json()
    assert [e["actor"] for e in staff["timeline"]] == [f"user:{city.id}", "timer"]
    closed_at = datetime.fromisoformat(detail["timeline"][1]["at"])
    deadline = datetime.fromisoformat(challenge["proposals_close_at"])
    assert deadline <= closed_at < deadline + timedelta(minutes=1)

    late = await submit(api, startups[0], challenge["id"], title="Too late an idea")
    assert late.status_code == 409
    assert late.json()["extra"]["phase"] == "review"
    assert "review" in late.json()["detail"]


async def test_a_new_worker_closes_the_call_exactly_once_after_the_old_one_died(
    api,
    actors,
    temporal: WorkflowEnvironment,
    worker: ThreadedWorker,
    settings: Settings,
    sessions,
):
    city = await actors.city()
    challenge = await open_challenge(api, city, close_in=timedelta(days=30))

    worker.stop()
    # Weeks pass with no worker at all (the server holds the timer)...
    await temporal.sleep(timedelta(days=29))
    assert await phase_of(api, challenge["id"]) == "open"

    # ...then a new worker comes up, knowing nothing, and the deadline still closes the call.
    replacement = ThreadedWorker(settings).start()
    try:
        await temporal.sleep(timedelta(days=2))
        phase = await eventually(lambda: phase_of(api, challenge["id"]), lambda p: p == "review")
        assert phase == "review"
    finally:
        replacement.stop()

    async with sessions() as session:
        rows = (
            await session.exec(
                select(PhaseTransition).where(PhaseTransition.challenge_id == challenge["id"])
            )
        ).all()
    assert sorted(row.to_phase for row in rows) == ["open", "review"]


async def test_publishing_twice_starts_one_workflow(api, actors, temporal: WorkflowEnvironment):
    city = await actors.city()
    challenge = await open_challenge(api, city)
    handle = temporal.client.get_workflow_handle(f"challenge-{challenge['id']}")
    first_run = (await handle.describe()).run_id

    again = await api.post(f"/api/challenges/{challenge['id']}/publish", headers=city.headers)
    assert again.status_code == 200
    assert again.json()["phase"] == "open"
    assert [e["phase"] for e in again.json()["timeline"]] == ["open"]
    assert (await handle.describe()).run_id == first_run


async def test_cancelling_an_open_challenge_ends_its_workflow_with_the_reason(
    api, actors, temporal: WorkflowEnvironment
):
    city = await actors.city()
    challenge = await open_challenge(api, city)
    response = await api.post(
        f"/api/challenges/{challenge['id']}/cancel",
        json={"reason": "The council cut the budget"},
        headers=city.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["phase"] == "cancelled"
    assert body["cancel_reason"] == "The council cut the budget"
    assert body["timeline"][-1]["reason"] == "The council cut the budget"
    assert body["timeline"][-1]["actor"] == f"user:{city.id}"

    handle = temporal.client.get_workflow_handle_for(
        ChallengeWorkflow.run, f"challenge-{challenge['id']}"
    )
    result = await handle.result()
    assert result.final_phase == "cancelled"
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED

    again = await api.post(
        f"/api/challenges/{challenge['id']}/cancel",
        json={"reason": "twice"},
        headers=city.headers,
    )
    assert again.status_code == 409
    assert again.json()["extra"]["phase"] == "cancelled"
