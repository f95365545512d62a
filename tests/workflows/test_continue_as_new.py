"""A review that draws many signals continues as new with a short history, and picks
up exactly where it was: nothing recorded twice, nothing skipped."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from schemas.workflows import ChallengeWorkflowInput, ReviewChangedInput
from service.challenges.models import Challenge, PhaseTransition
from service.clock import utcnow
from tests.builders import create_challenge, wait_for_phase
from tests.stack import eventually
from workflows.challenge import ChallengeWorkflow


async def test_the_review_continues_as_new_and_still_ends_once(
    api, actors, temporal: WorkflowEnvironment, settings, sessions
):
    city = await actors.city()
    draft = await create_challenge(
        api, city, close_in=timedelta(days=2), review_for=timedelta(days=5)
    )
    cid = draft["id"]
    async with sessions() as session:  # published, as publish would record it
        challenge = await session.get(Challenge, cid)
        assert challenge is not None
        challenge.published_at, challenge.published_by_id = utcnow(), city.id
        session.add(challenge)
        await session.commit()
    # Started directly (as publish would) but with a tiny history limit.
    handle = await temporal.client.start_workflow(
        ChallengeWorkflow.run,
        ChallengeWorkflowInput(
            challenge_id=cid,
            published_by=city.id,
            proposals_close_at=datetime.fromisoformat(draft["proposals_close_at"]),
            review_deadline=datetime.fromisoformat(draft["review_deadline"]),
            review_reminder_days=[1],
            history_limit=40,
        ),
        id=f"challenge-{cid}",
        task_queue=settings.task_queue,
    )
    first_run = handle.result_run_id
    await temporal.sleep(timedelta(days=2, hours=1))
    await wait_for_phase(api, cid, "review")

    for _ in range(15):  # each re-check of the review adds to the history
        await handle.signal(ChallengeWorkflow.review_changed, ReviewChangedInput())

    async def current_run() -> str:
        return (await temporal.client.get_workflow_handle(f"challenge-{cid}").describe()).run_id

    new_run = await eventually(current_run, lambda run: run != first_run)
    assert new_run != first_run, "the workflow should have continued as new"

    await temporal.sleep(timedelta(days=5))
    assert await wait_for_phase(api, cid, "selection") == "selection"
    async with sessions() as session:
        rows = (
            await session.exec(select(PhaseTransition).where(PhaseTransition.challenge_id == cid))
        ).all()
    assert sorted(r.to_phase for r in rows) == ["open", "review", "selection"]
