"""The rules around assignments, scores, the ranking and the shortlist: who may, and
what input is refused (and why)."""

from __future__ import annotations

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from tests.builders import (
    assign,
    challenge_in_review,
    my_assignments,
    score,
    screen,
    wait_for_phase,
)


async def test_assignment_input_is_checked(api, actors, temporal: WorkflowEnvironment):
    city, startup = await actors.city(), await actors.startup()
    evaluator, resident = await actors.evaluator(), await actors.resident()
    challenge, [pid] = await challenge_in_review(api, city, [startup], temporal)
    url = f"/api/challenges/{challenge['id']}/evaluators"
    await screen(api, city, pid)

    not_evaluators = await api.post(
        url, json={"evaluator_ids": [evaluator.id, resident.id, 987654]}, headers=city.headers
    )
    assert not_evaluators.status_code == 422
    error = not_evaluators.json()["extra"][0]
    assert error["key"] == "evaluator_ids"
    assert str(resident.id) in error["message"] and "987654" in error["message"]

    too_many = await api.post(
        url, json={"evaluator_ids": [evaluator.id], "per_proposal": 2}, headers=city.headers
    )
    assert too_many.status_code == 422
    assert too_many.json()["extra"][0]["key"] == "per_proposal"
    empty = await api.post(url, json={"evaluator_ids": []}, headers=city.headers)
    assert empty.status_code == 422

    # Assigning twice is a top-up, not a duplicate.
    first = await assign(api, city, challenge["id"], [evaluator])
    again = await assign(api, city, challenge["id"], [evaluator])
    assert [a["id"] for a in again] == [a["id"] for a in first]
    progress = await api.get(f"/api/challenges/{challenge['id']}/assignments", headers=city.headers)
    assert [(a["proposal_id"], a["complete"]) for a in progress.json()["items"]] == [(pid, False)]
    assert "scores" not in progress.json()["items"][0]


async def test_scores_are_checked_revisable_and_private(api, actors, temporal: WorkflowEnvironment):
    city, startup = await actors.city(), await actors.startup()
    mine, other = await actors.evaluator(), await actors.evaluator()
    challenge, [pid] = await challenge_in_review(api, city, [startup], temporal)
    await screen(api, city, pid)
    await assign(api, city, challenge["id"], [mine, other])
    [assignment] = await my_assignments(api, mine)
    url = f"/api/assignments/{assignment['id']}/scores"
    first_criterion = assignment["criteria"][0]["id"]

    for body, key in [
        ({"scores": [{"criterion_id": first_criterion, "score": 11}]}, "scores.0.score"),
        ({"scores": [{"criterion_id": first_criterion, "score": -1}]}, "scores.0.score"),
        ({"scores": [{"criterion_id": 999999, "score": 5}]}, "scores.0.criterion_id"),
        ({"scores": [{"criterion_id": first_criterion, "score": 5}] * 2}, "scores"),
        ({"scores": []}, "scores"),
    ]:
        response = await api.put(url, json=body, headers=mine.headers)
        assert response.status_code == 422, body
        assert response.json()["extra"][0]["key"] == key

    assert (await api.put(url, json={"scores": [{"criterion_id": first_criterion, "score": 5}]},
                          headers=other.headers)).status_code == 403  # fmt: skip
    assert (await api.put(url, json={"scores": [{"criterion_id": first_criterion, "score": 5}]},
                          headers=startup.headers)).status_code == 403  # fmt: skip

    partial = await api.put(
        url, json={"scores": [{"criterion_id": first_criterion, "score": 4, "comment": "Hm"}]},
        headers=mine.headers,
    )  # fmt: skip
    assert partial.json()["complete"] is False
    done = await score(api, mine, assignment, (6, 7, 8), comment="Solid")
    assert done["complete"] is True
    revised = await score(api, mine, assignment, (9, 7, 8), comment="Better than I thought")
    assert [s["score"] for s in revised["scores"]] == [9, 7, 8]

    # The other evaluator still sees no scores but their own (none).
    [theirs] = await my_assignments(api, other)
    assert theirs["scores"] == []
    assert (
        await api.get(f"/api/assignments/{assignment['id']}", headers=other.headers)
    ).status_code == 403

    # After a conflict, the assignment takes no more scores.
    await api.post(f"/api/assignments/{assignment['id']}/conflict", json={"reason": "My cousin"},
                   headers=mine.headers)  # fmt: skip
    after = await api.put(url, json={"scores": [{"criterion_id": first_criterion, "score": 1}]},
                          headers=mine.headers)  # fmt: skip
    assert after.status_code == 409
    short = await api.post(f"/api/assignments/{assignment['id']}/conflict", json={"reason": ""},
                           headers=mine.headers)  # fmt: skip
    assert short.status_code == 422


async def test_ranking_weights_and_shortlist_are_checked(
    api, actors, temporal: WorkflowEnvironment
):
    city = await actors.city()
    startups = [await actors.startup() for _ in range(3)]
    evaluator = await actors.evaluator()
    challenge, ids = await challenge_in_review(api, city, startups, temporal, max_pilots=1)
    cid = challenge["id"]
    await screen(api, city, ids[0])
    await screen(api, city, ids[1])
    await screen(api, city, ids[2], eligible=False, reason="Not in Zuid")

    early = await api.post(f"/api/challenges/{cid}/shortlist", json={"proposal_ids": [ids[0]]},
                           headers=city.headers)  # fmt: skip
    assert early.status_code == 409
    assert early.json()["extra"]["phase"] == "review"

    preliminary = (await api.get(f"/api/challenges/{cid}/ranking", headers=city.headers)).json()
    assert preliminary["preliminary"] is True
    assert preliminary["items"] == []
    assert preliminary["unranked_proposal_ids"] == sorted(ids[:2])

    for weights, message in [
        ("Impact:50,Feasibility:30", "missing: Cost"),
        ("Impact:50,Feasibility:30,Cost:30", "sum to 100"),
        ("Impact:50,Beauty:30,Cost:20", "'Beauty' is not a criterion"),
        ("Impact:fifty,Feasibility:30,Cost:20", "not a whole number"),
        ("Impact", "not criterion:weight"),
    ]:
        response = await api.get(f"/api/challenges/{cid}/ranking?weights={weights}",
                                 headers=city.headers)  # fmt: skip
        assert response.status_code == 422, weights
        assert response.json()["extra"][0]["key"] == "weights"
        assert message in response.json()["extra"][0]["message"]

    await assign(api, city, cid, [evaluator])
    [first, _second] = sorted(await my_assignments(api, evaluator), key=lambda a: a["proposal_id"])
    await score(api, evaluator, first, (8, 8, 8))
    # ids[1] stays unscored; the review runs to its deadline.
    await temporal.sleep(timedelta(days=21))
    assert await wait_for_phase(api, cid, "selection") == "selection"
    url = f"/api/challenges/{cid}/shortlist"
    for proposal_ids, message in [
        ([ids[0], ids[1]], "at most 1 pilots"),
        ([ids[2]], "is ineligible"),
        ([ids[1]], "no complete score"),
        ([999999], "is not in this challenge"),
    ]:
        refused = await api.post(url, json={"proposal_ids": proposal_ids}, headers=city.headers)
        assert refused.status_code == 422, proposal_ids
        assert message in refused.json()["extra"][0]["message"]
        assert refused.json()["extra"][0]["key"].startswith("proposal_ids")
    duplicate = await api.post(url, json={"proposal_ids": [ids[0], ids[0]]}, headers=city.headers)
    assert duplicate.status_code == 422

    ok = await api.post(url, json={"proposal_ids": [ids[0]]}, headers=city.headers)
    assert ok.status_code == 200 and ok.json()["phase"] == "piloting"
    twice = await api.post(url, json={"proposal_ids": [ids[0]]}, headers=city.headers)
    assert twice.status_code == 409
