"""SIGKILL the worker in every phase of a challenge and of its pilot, and once in the
middle of recording a transition; each time a new worker takes over, and every
transition still happens once, when it is due, and tells each person once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests import builders
from tests.actors import Actors
from tests.builders import assign, create_challenge, iso, my_assignments, publish, score, screen
from tests.builders import submit as submit_proposal
from tests.fault.deployment import (
    Deployment,
    pilot_status,
    seconds_from_now,
    until,
    wait_for_phase,
    wait_for_pilot,
    wait_past,
)
from tests.fault.records import (
    assert_on_time,
    assert_timeline_matches,
    notifications,
    one,
    repeated,
    steps,
    transition_notices,
    transitions,
)

pytestmark = pytest.mark.fault

# Real time on the dev server: enough for a few requests before each deadline.
CALL_OPEN_FOR = 12
PILOT_STARTS_IN = 8
PILOT_RUNS_FOR = 6


async def test_a_worker_killed_in_each_phase_is_replaced_and_every_step_happens_once(
    deployment: Deployment, sessions
):
    await deployment.start_temporal()
    api = await deployment.start_api()
    worker = await deployment.start_worker()
    async with deployment.http(api) as http:
        actors = Actors(http, sessions)  # type: ignore[arg-type]  # httpx, not the test client
        city, evaluator = await actors.city(), await actors.evaluator()
        first, second = await actors.startup(), await actors.startup()
        follower = await actors.resident()

        # -- open: killed while the call runs; the proposals come in without a worker --
        close_at = seconds_from_now(CALL_OPEN_FOR)
        challenge = await create_challenge(
            http, city, max_pilots=1, proposals_close_at=iso(close_at),
            review_deadline=iso(close_at + timedelta(days=1)),
        )  # fmt: skip
        cid = challenge["id"]
        assert (await publish(http, city, cid))["phase"] == "open"
        followed = await http.post(f"/api/challenges/{cid}/follow", headers=follower.headers)
        assert followed.status_code in (200, 201), followed.text
        await deployment.settled(f"challenge-{cid}")
        await deployment.kill(worker)
        proposal_ids = []
        for startup, title in ((first, "Misting poles"), (second, "Shade sails")):
            submitted = await submit_proposal(http, startup, cid, title=title)
            assert submitted.status_code == 201, submitted.text
            proposal_ids.append(submitted.json()["id"])
        # ...and killed again in the middle of recording the call's end: its write waits
        # on a row lock the test holds, and the worker dies with it unfinished.
        async with sessions() as blocker:
            lock = text("SELECT id FROM challenges WHERE id = :id FOR UPDATE")
            await blocker.exec(lock.bindparams(id=cid))  # type: ignore[call-overload]
            worker = await deployment.start_worker()
            await deployment.activity_running(f"challenge-{cid}", "record_transition")
            await deployment.kill(worker)
            await blocker.rollback()
        worker = await deployment.start_worker()
        await wait_for_phase(http, cid, "review")  # once the lost attempt times out

        # -- review: killed; screening and scores are written, the workflow told later --
        await deployment.settled(f"challenge-{cid}")
        await deployment.kill(worker)
        for proposal_id in proposal_ids:
            await screen(http, city, proposal_id)
        await assign(http, city, cid, [evaluator])
        for assignment in await my_assignments(http, evaluator):
            mark = 8 if assignment["proposal_id"] == proposal_ids[0] else 5
            await score(http, evaluator, assignment, (mark, mark, mark))
        last_score_at = datetime.now(UTC)
        worker = await deployment.start_worker()
        await wait_for_phase(http, cid, "selection")

        # -- selection: killed while the workflow waits for the city ------------------
        await deployment.settled(f"challenge-{cid}")
        await deployment.kill(worker)
        worker = await deployment.start_worker()
        shortlist = await http.post(
            f"/api/challenges/{cid}/shortlist",
            json={"proposal_ids": [proposal_ids[0]]},
            headers=city.headers,
        )
        assert shortlist.status_code == 200, shortlist.text
        [pilot_id] = [p["id"] for p in shortlist.json()["pilots"]]

        # -- piloting: killed while the pilot runs ---------------------------------------
        starts_at = seconds_from_now(PILOT_STARTS_IN)
        ends_at = starts_at + timedelta(seconds=PILOT_RUNS_FOR)
        agreement = await http.post(
            f"/api/pilots/{pilot_id}/agreement",
            json={"starts_at": iso(starts_at), "ends_at": iso(ends_at), "budget_eur": 30000,
                  "milestones": []},
            headers=city.headers,
        )  # fmt: skip
        assert agreement.status_code == 200, agreement.text
        accepted = await http.post(f"/api/pilots/{pilot_id}/accept", headers=first.headers)
        assert accepted.status_code == 200, accepted.text
        await until(
            lambda: pilot_status(http, pilot_id),
            lambda status: status in ("running", "evaluation"),
            what="the pilot started",
        )
        await deployment.settled(f"pilot-{pilot_id}")
        await deployment.kill(worker)  # the pilot runs (unless a slow machine made it end)...
        await wait_past(ends_at)  # ...and its end passes with no worker at all
        worker = await deployment.start_worker()
        await wait_for_pilot(http, pilot_id, "evaluation")

        # -- evaluation: killed while the pilot waits for the city's decision ---------
        # (once the evaluator was asked: the workflow's step after recording evaluation)
        await until(
            lambda: builders.notifications(http, evaluator),
            lambda told: any(n["kind"] == "pilot_evaluation" for n in told),
            what="the evaluator asked to evaluate the pilot",
        )
        await deployment.settled(f"pilot-{pilot_id}")
        await deployment.kill(worker)
        evaluated = await http.put(
            f"/api/pilots/{pilot_id}/evaluation",
            json={"score": 6, "comment": "Cooler, not cool enough"},
            headers=evaluator.headers,
        )
        assert evaluated.status_code == 200, evaluated.text
        worker = await deployment.start_worker()
        decided = await http.post(
            f"/api/pilots/{pilot_id}/decision",
            json={"decision": "stop", "reason": "Below the cooling target"},
            headers=city.headers,
        )
        assert decided.status_code == 200, decided.text
        await wait_for_phase(http, cid, "closed")

        rows = await transitions(sessions, cid)
        assert steps(rows) == ["open", "review", "selection", "piloting", "closed"]
        assert steps(rows, pilot_id) == ["running", "evaluation", "stopped"]
        assert_on_time(one(rows, "review"), close_at)
        # Recording the review: the first attempt died with its worker, a second did it.
        transitions_recorded = await deployment.activity_attempts(
            f"challenge-{cid}", "record_transition"
        )
        assert transitions_recorded[:2] == [1, 2], transitions_recorded
        selection = one(rows, "selection")
        assert_on_time(selection, last_score_at)
        assert selection.reason is not None and "every assignment was scored" in selection.reason
        assert_on_time(one(rows, "running", pilot_id), starts_at)
        assert_on_time(one(rows, "evaluation", pilot_id), ends_at)
        assert [r.at for r in rows] == sorted(r.at for r in rows)
        await assert_timeline_matches(http, cid, rows, city.headers)

    told = await notifications(sessions)
    assert repeated(told) == []
    # The follower heard of every transition after following it, once each.
    since_following = {r.key for r in rows if r.to_phase != "open"}
    assert transition_notices(told, follower.id) == dict.fromkeys(since_following, 1)
    kinds = [(n.user_id, n.kind) for n in told]
    assert kinds.count((first.id, "selection_outcome")) == 1
    assert kinds.count((second.id, "selection_outcome")) == 1
    assert kinds.count((city.id, "pilot_accepted")) == 1
    assert kinds.count((evaluator.id, "pilot_evaluation")) == 1
