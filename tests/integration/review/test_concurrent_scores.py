"""The same review write sent many times at the same moment, over real HTTP: every copy
gets the first one's answer (never a 500) and it is stored once: one score per
criterion, one replacement for a declared conflict, one assignment per evaluator and
proposal, one pilot evaluation per evaluator and round."""

from __future__ import annotations

from sqlmodel import select

from schemas.common import PilotStatus
from service.review.models import Assignment, ChallengeEvaluator, Score
from tests.at_once import at_once, serve, statuses
from tests.builders import (
    assign,
    challenge_in_review,
    my_assignments,
    notifications,
    open_challenge,
    screen,
)
from tests.feedback import running_pilot


def _all_ok(responses) -> None:
    assert statuses(responses) == [200] * len(responses), [
        r.text for r in responses if r.status_code != 200
    ]


async def test_first_scores_sent_five_times_at_once_are_stored_once(
    api, actors, temporal, settings, sessions
):
    city, startup, evaluator = await actors.city(), await actors.startup(), await actors.evaluator()
    challenge, [proposal_id] = await challenge_in_review(api, city, [startup], temporal)
    await screen(api, city, proposal_id)
    await assign(api, city, challenge["id"], [evaluator])
    [assignment] = await my_assignments(api, evaluator)
    sent = [
        {"criterion_id": c["id"], "score": 5 + n, "comment": f"Point {n}"}
        for n, c in enumerate(assignment["criteria"])
    ]

    with serve(settings) as server:
        responses = await at_once(
            server,
            5,
            "PUT",
            f"/api/assignments/{assignment['id']}/scores",
            json={"scores": sent},
            headers=evaluator.headers,
        )

    _all_ok(responses)
    assert len({r.text for r in responses}) == 1  # the same answer, times included
    read = (await api.get(f"/api/assignments/{assignment['id']}", headers=evaluator.headers)).json()
    assert read["scores"] == responses[0].json()["scores"]
    assert read["complete"] is True  # (and the review moved on: every score is in)
    stored = [
        {"criterion_id": s["criterion_id"], "score": s["score"], "comment": s["comment"]}
        for s in read["scores"]
    ]
    assert stored == sorted(sent, key=lambda s: s["criterion_id"])
    async with sessions() as session:
        rows = await session.exec(select(Score).where(Score.assignment_id == assignment["id"]))
        assert len(rows.all()) == len(sent)


async def test_a_conflict_declared_five_times_at_once_is_replaced_once(
    api, actors, temporal, settings, sessions
):
    city, startup = await actors.city(), await actors.startup()
    evaluators = [await actors.evaluator() for _ in range(3)]
    challenge, [proposal_id] = await challenge_in_review(api, city, [startup], temporal)
    await screen(api, city, proposal_id)
    await assign(api, city, challenge["id"], evaluators, per_proposal=1)
    first, replacement = evaluators[0], evaluators[1]  # the lowest id, then the next
    [assignment] = await my_assignments(api, first)

    with serve(settings) as server:
        responses = await at_once(
            server,
            5,
            "POST",
            f"/api/assignments/{assignment['id']}/conflict",
            json={"reason": "My former employer"},
            headers=first.headers,
        )

    _all_ok(responses)
    assert len({r.text for r in responses}) == 1
    assert responses[0].json()["status"] == "conflict"
    async with sessions() as session:
        rows = (
            await session.exec(select(Assignment).where(Assignment.proposal_id == proposal_id))
        ).all()
    assert sorted((a.evaluator_id, a.status) for a in rows) == [
        (first.id, "conflict"),
        (replacement.id, "active"),
    ]
    asked = [n for n in await notifications(api, replacement) if n["kind"] == "assignment"]
    assert len(asked) == 1


async def test_evaluators_assigned_five_times_at_once_are_assigned_once(
    api, actors, temporal, settings, sessions
):
    city, startups = await actors.city(), [await actors.startup() for _ in range(2)]
    evaluators = [await actors.evaluator() for _ in range(2)]
    challenge, proposal_ids = await challenge_in_review(api, city, startups, temporal)
    for proposal_id in proposal_ids:
        await screen(api, city, proposal_id)

    with serve(settings) as server:
        responses = await at_once(
            server,
            5,
            "POST",
            f"/api/challenges/{challenge['id']}/evaluators",
            json={"evaluator_ids": [e.id for e in evaluators]},
            headers=city.headers,
        )

    _all_ok(responses)
    async with sessions() as session:
        pool = (
            await session.exec(
                select(ChallengeEvaluator.evaluator_id).where(
                    ChallengeEvaluator.challenge_id == challenge["id"]
                )
            )
        ).all()
        rows = (
            await session.exec(select(Assignment).where(Assignment.challenge_id == challenge["id"]))
        ).all()
    assert sorted(pool) == sorted(e.id for e in evaluators)
    assert sorted((a.proposal_id, a.evaluator_id) for a in rows) == sorted(
        (p, e.id) for p in proposal_ids for e in evaluators
    )
    for evaluator in evaluators:
        asked = [n for n in await notifications(api, evaluator) if n["kind"] == "assignment"]
        assert len(asked) == len(proposal_ids)


async def test_a_pilot_evaluation_sent_five_times_at_once_is_stored_once(
    api, actors, settings, sessions, worker
):
    city, startup, evaluator = await actors.city(), await actors.startup(), await actors.evaluator()
    challenge = await open_challenge(api, city)
    pilot_id = await running_pilot(
        api, sessions, challenge["id"], startup, status=PilotStatus.EVALUATION
    )
    chosen = await api.post(
        f"/api/pilots/{pilot_id}/evaluators",
        json={"evaluator_ids": [evaluator.id]},
        headers=city.headers,
    )
    assert chosen.status_code == 200, chosen.text

    with serve(settings) as server:
        responses = await at_once(
            server,
            5,
            "PUT",
            f"/api/pilots/{pilot_id}/evaluation",
            json={"score": 7, "comment": "Cooler indeed"},
            headers=evaluator.headers,
        )

    _all_ok(responses)
    assert {r.json()["evaluation"]["scored"] for r in responses} == {1}
    seen_by_city = (await api.get(f"/api/pilots/{pilot_id}", headers=city.headers)).json()
    scores = seen_by_city["evaluation"]["scores"]
    assert [(s["score"], s["comment"], s["round"]) for s in scores] == [(7, "Cooler indeed", 0)]


async def test_a_screening_sent_five_times_at_once_is_recorded_once(
    api, actors, temporal, settings
):
    city, startup = await actors.city(), await actors.startup()
    _, [proposal_id] = await challenge_in_review(api, city, [startup], temporal)

    with serve(settings) as server:
        responses = await at_once(
            server,
            5,
            "POST",
            f"/api/proposals/{proposal_id}/screening",
            json={"eligible": False, "reason": "Outside the test bed area"},
            headers=city.headers,
        )

    _all_ok(responses)
    assert len({r.text for r in responses}) == 1
    assert responses[0].json()["status"] == "ineligible"
    history = (await api.get(f"/api/proposals/{proposal_id}/history", headers=city.headers)).json()
    assert [e["kind"] for e in history["events"]] == ["screened_ineligible"]
    told = [n for n in await notifications(api, startup) if n["kind"] == "proposal_screened"]
    assert len(told) == 1
    # A verdict that changes is news again.
    changed = await screen(api, city, proposal_id, eligible=True)
    assert changed["status"] == "eligible"
    history = (await api.get(f"/api/proposals/{proposal_id}/history", headers=city.headers)).json()
    assert [e["kind"] for e in history["events"]] == ["screened_ineligible", "screened_eligible"]
