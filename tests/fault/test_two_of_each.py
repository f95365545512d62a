"""Two API processes and two workers on one database and one Temporal (``proeftuin
up`` with a second ``api`` and a second ``worker``): a challenge driven through its
lifecycle through both APIs in turn, the same decision sent through both at once.
Every step happens once, every decision is taken once, and nobody is told twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from tests.actors import Account, Actors
from tests.builders import create_challenge, iso, my_assignments, score, screen
from tests.builders import submit as submit_proposal
from tests.fault.deployment import (
    Deployment,
    seconds_from_now,
    until,
    wait_for_phase,
    wait_for_pilot,
)
from tests.fault.records import (
    assert_on_time,
    assert_timeline_matches,
    keyed,
    notifications,
    one,
    repeated,
    steps,
    transition_notices,
    transitions,
)

pytestmark = pytest.mark.fault

CALL_OPEN_FOR = 10
PILOT_STARTS_IN = 8
PILOT_RUNS_FOR = 4


async def both(*calls) -> list[httpx.Response]:
    """The calls sent at the same moment."""
    return list(await asyncio.gather(*calls))


def one_accepted(responses: list[httpx.Response]) -> httpx.Response:
    """Exactly one of two rival decisions is taken; the other is told it came too late."""
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [(r.status_code, r.text) for r in responses]
    return next(r for r in responses if r.status_code == 200)


async def test_two_apis_and_two_workers_do_each_step_once(deployment: Deployment, sessions):
    first_api = await deployment.start_up()
    second_api = await deployment.start_api()
    await deployment.start_worker()
    async with deployment.http(first_api) as one_http, deployment.http(second_api) as two_http:
        apis = (one_http, two_http)
        actors = Actors(one_http, sessions)  # type: ignore[arg-type]  # httpx, not the test client
        city, evaluator = await actors.city(), await actors.evaluator()
        actors.api = two_http  # type: ignore[assignment]  # registering through the second
        startups: list[Account] = [await actors.startup(), await actors.startup()]
        follower = await actors.resident()

        close_at = seconds_from_now(CALL_OPEN_FOR)
        challenge = await create_challenge(
            one_http, city, max_pilots=1, proposals_close_at=iso(close_at),
            review_deadline=iso(close_at + timedelta(days=1)),
        )  # fmt: skip
        cid = challenge["id"]
        published = await both(
            *(http.post(f"/api/challenges/{cid}/publish", headers=city.headers) for http in apis)
        )
        assert [r.status_code for r in published] == [200, 200], [r.text for r in published]
        assert {r.json()["phase"] for r in published} == {"open"}
        followed = await two_http.post(f"/api/challenges/{cid}/follow", headers=follower.headers)
        assert followed.status_code in (200, 201), followed.text
        proposal_ids = []
        for http, startup, title in zip(
            apis, startups, ("Misting poles", "Shade sails"), strict=True
        ):
            submitted = await submit_proposal(http, startup, cid, title=title)
            assert submitted.status_code == 201, submitted.text
            proposal_ids.append(submitted.json()["id"])
        await wait_for_phase(two_http, cid, "review")

        for http, proposal_id in zip(apis, proposal_ids, strict=True):
            await screen(http, city, proposal_id)
        assigned = await two_http.post(
            f"/api/challenges/{cid}/evaluators",
            json={"evaluator_ids": [evaluator.id]},
            headers=city.headers,
        )
        assert assigned.status_code == 200, assigned.text
        for http, assignment in zip(apis, await my_assignments(one_http, evaluator), strict=True):
            mark = 8 if assignment["proposal_id"] == proposal_ids[0] else 5
            await score(http, evaluator, assignment, (mark, mark, mark))
        await wait_for_phase(one_http, cid, "selection")

        # Two members of staff approve different shortlists at the same moment.
        shortlists = await both(
            *(
                http.post(
                    f"/api/challenges/{cid}/shortlist",
                    json={"proposal_ids": [proposal_id]},
                    headers=city.headers,
                )
                for http, proposal_id in zip(apis, proposal_ids, strict=True)
            )
        )
        approved = one_accepted(shortlists)
        [pilot] = approved.json()["pilots"]
        chosen = next(
            pid for r, pid in zip(shortlists, proposal_ids, strict=True) if r is approved
        )  # the approved list is the one the city sent through that API
        assert pilot["proposal_id"] == chosen
        startup = startups[proposal_ids.index(chosen)]
        pilot_id = pilot["id"]

        starts_at = seconds_from_now(PILOT_STARTS_IN)
        ends_at = starts_at + timedelta(seconds=PILOT_RUNS_FOR)
        agreement = await one_http.post(
            f"/api/pilots/{pilot_id}/agreement",
            json={"starts_at": iso(starts_at), "ends_at": iso(ends_at), "budget_eur": 30000,
                  "milestones": []},
            headers=city.headers,
        )  # fmt: skip
        assert agreement.status_code == 200, agreement.text
        accepted = await both(
            *(http.post(f"/api/pilots/{pilot_id}/accept", headers=startup.headers) for http in apis)
        )
        one_accepted(accepted)
        await wait_for_pilot(two_http, pilot_id, "evaluation")
        await until(
            lambda: notifications(sessions),
            lambda told: any(
                n.user_id == evaluator.id and n.kind == "pilot_evaluation" for n in told
            ),
            what="the evaluator asked to evaluate the pilot",
        )
        evaluated = await one_http.put(
            f"/api/pilots/{pilot_id}/evaluation",
            json={"score": 6, "comment": "Cooler, not cool enough"},
            headers=evaluator.headers,
        )
        assert evaluated.status_code == 200, evaluated.text
        decisions = await both(
            one_http.post(
                f"/api/pilots/{pilot_id}/decision",
                json={"decision": "stop", "reason": "Below the cooling target"},
                headers=city.headers,
            ),
            two_http.post(
                f"/api/pilots/{pilot_id}/decision",
                json={"decision": "extend", "reason": "Measure another summer",
                      "new_end_at": iso(seconds_from_now(PILOT_RUNS_FOR))},
                headers=city.headers,
            ),
        )  # fmt: skip
        decided = one_accepted(decisions)
        final = "stopped" if decided is decisions[0] else "running"
        assert decided.json()["status"] == final
        if final == "running":  # extended: let it end, and stop it then
            await wait_for_pilot(one_http, pilot_id, "evaluation")
            stopped = await two_http.post(
                f"/api/pilots/{pilot_id}/decision",
                json={"decision": "stop", "reason": "Below the cooling target"},
                headers=city.headers,
            )
            assert stopped.status_code == 200, stopped.text
        await wait_for_phase(two_http, cid, "closed")

        rows = await transitions(sessions, cid)
        assert steps(rows) == ["open", "review", "selection", "piloting", "closed"]
        assert_on_time(one(rows, "review"), close_at)
        assert_on_time(keyed(rows, f"pilot-{pilot_id}-running-0"), starts_at)
        assert_on_time(keyed(rows, f"pilot-{pilot_id}-evaluation-0"), ends_at)
        extended = ["running", "evaluation"] if final == "running" else []
        assert steps(rows, pilot_id) == ["running", "evaluation", *extended, "stopped"]
        for http in apis:
            await assert_timeline_matches(http, cid, rows, city.headers)

    told = await notifications(sessions)
    rounds = 2 if final == "running" else 1  # an extension evaluates the pilot again
    again = {(evaluator.id, "pilot_evaluation"), (city.id, "pilot_decision_due")}
    assert sorted((user, kind) for user, kind, *_ in repeated(told)) == (
        sorted(again) if rounds == 2 else []
    )
    for user, kind in again:
        assert [(n.user_id, n.kind) for n in told].count((user, kind)) == rounds
    since_following = {r.key for r in rows if r.to_phase != "open"}
    assert transition_notices(told, follower.id) == dict.fromkeys(since_following, 1)
    for each in startups:
        assert [n.kind for n in told if n.user_id == each.id].count("selection_outcome") == 1

    # One of each standing workflow, though two workers started them.
    client = await deployment.client()
    for workflow_id in ("mail-outbox", "daily-round"):
        running = [
            w async for w in client.list_workflows(
                f"WorkflowId = '{workflow_id}' AND ExecutionStatus = 'Running'"
            )
        ]  # fmt: skip
        assert len(running) == 1, (workflow_id, running)
