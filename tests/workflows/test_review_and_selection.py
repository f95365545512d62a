"""Review and selection, end to end on the time-skipping server: 12 proposals, 4
evaluators (one conflict of interest), blind scores, the ranking checked against
hand-computed numbers, the shortlist, and every startup told its outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.builders import (
    assign,
    my_assignments,
    notifications,
    open_challenge,
    score,
    screen,
    submit,
    wait_for_phase,
)
from tests.replay.recording import record
from tests.stack import eventually

# Scores per (evaluator, proposal number): (Impact 50%, Feasibility 30%, Cost 20%).
# Evaluator 3 is lenient and evaluator 4 harsh; evaluator 2 scores one point above
# evaluator 1 throughout, which z-scores cancel out entirely.
SCORES = {
    (1, 1): (3, 4, 6), (3, 1): (5, 6, 8),  # evaluator 2 declared a conflict on P1
    (3, 2): (6, 9, 4), (4, 2): (2, 5, 0),
    (1, 3): (5, 2, 7), (2, 3): (6, 3, 8),
    (3, 4): (8, 7, 5), (4, 4): (4, 3, 1),
    (1, 5): (7, 8, 8), (2, 5): (8, 9, 9),
    (3, 6): (10, 5, 6), (4, 6): (6, 1, 2),
    (1, 7): (2, 6, 9), (2, 7): (3, 7, 10),
    (3, 8): (5, 3, 7), (4, 8): (1, 0, 3),
    (1, 9): (4, 4, 1), (2, 9): (5, 5, 2),
    (3, 10): (7, 9, 8), (4, 10): (3, 5, 4),
    (1, 11): (6, 2, 2), (2, 11): (7, 3, 3),
    (3, 12): (9, 7, 9), (4, 12): (5, 3, 5),
}  # fmt: skip

# Worked by hand (and checked with a separate numpy script, not our code):
# weighted = 0.5*impact + 0.3*feasibility + 0.2*cost per evaluator, e.g. P5:
#   evaluator 1: 3.5 + 2.4 + 1.6 = 7.5; evaluator 2: 4.0 + 2.7 + 1.8 = 8.5; mean 8.0.
# normalised = mean over the proposal's evaluators of (weighted - evaluator's mean) /
#   evaluator's population standard deviation, over the proposals each one completed.
# (rank, proposal number, weighted, normalised, range of weighted scores, disagree?)
EXPECTED = [
    (1, 5, 8.0, 2.021, 1.0, False),
    (2, 12, 6.4, 1.2627, 4.0, True),
    (3, 10, 5.8, 0.7228, 4.0, True),
    (4, 6, 5.7, 0.6328, 4.0, True),
    (5, 4, 5.1, 0.0929, 4.0, True),
    (6, 7, 5.1, -0.0894, 1.0, False),
    (7, 3, 5.0, -0.1621, 1.0, False),
    (8, 2, 4.5, -0.447, 4.0, True),
    (9, 11, 4.5, -0.526, 1.0, False),
    (10, 1, 4.9, -0.7083, 2.0, False),
    (11, 9, 3.9, -0.9626, 1.0, False),
    (12, 8, 2.95, -1.8368, 3.7, True),
]
# Weighted order: ties (P4/P7 at 5.1, P2/P11 at 4.5) go to the higher normalised score.
EXPECTED_WEIGHTED_RANK = {
    5: 1,
    12: 2,
    10: 3,
    6: 4,
    4: 5,
    7: 6,
    3: 7,
    1: 8,
    2: 9,
    11: 10,
    9: 11,
    8: 12,
}
# Impact 20%, Feasibility 30%, Cost 50%: the order the city would get instead.
EXPECTED_WHAT_IF_ORDER = [12, 5, 10, 7, 3, 1, 6, 4, 2, 11, 8, 9]


async def test_twelve_proposals_four_evaluators_one_conflict_ranked_and_announced(
    api, actors, temporal: WorkflowEnvironment
):
    city = await actors.city()
    evaluators = [await actors.evaluator(f"Evaluator {n}") for n in range(1, 5)]
    startups = [await actors.startup(f"Startup {n}") for n in range(1, 13)]
    challenge = await open_challenge(
        api, city, close_in=timedelta(days=30), review_for=timedelta(days=20), max_pilots=2
    )
    cid = challenge["id"]
    proposals = {}
    for n, startup in enumerate(startups, start=1):
        response = await submit(api, startup, cid, title=f"Proposal {n}", budget_eur=1000 * n)
        proposals[n] = response.json()["id"]
    number = {pid: n for n, pid in proposals.items()}

    await temporal.sleep(timedelta(days=31))
    assert await wait_for_phase(api, cid, "review") == "review"

    for pid in proposals.values():
        await screen(api, city, pid, eligible=True)
    assignments = await assign(api, city, cid, evaluators, per_proposal=2)
    assert len(assignments) == 24
    per_evaluator = {e.id: sum(a["evaluator_id"] == e.id for a in assignments) for e in evaluators}
    assert sorted(per_evaluator.values()) == [6, 6, 6, 6], "balanced across evaluators"

    # Evaluator 2 knows the startup behind proposal 1: the assignment moves to a free one.
    e1, e2, e3, e4 = evaluators
    [on_p1] = [a for a in await my_assignments(api, e2) if a["proposal_id"] == proposals[1]]
    conflict = await api.post(
        f"/api/assignments/{on_p1['id']}/conflict",
        json={"reason": "I advised this startup last year"},
        headers=e2.headers,
    )
    assert conflict.status_code == 200
    assert conflict.json()["status"] == "conflict"
    assert conflict.json()["can_score"] is False
    assert (await api.get(f"/api/proposals/{proposals[1]}", headers=e2.headers)).status_code == 403
    moved = await notifications(api, e3)
    assert any("Proposal 1" in n["title"] for n in moved if n["kind"] == "assignment")

    index = {e.id: n for n, e in enumerate(evaluators, start=1)}
    for evaluator in evaluators:
        for assignment in await my_assignments(api, evaluator):
            if assignment["status"] != "active":
                continue
            key = (index[evaluator.id], number[assignment["proposal_id"]])
            assert key in SCORES, f"unexpected assignment {key}"
            # Blind: an evaluator sees only their own scores, nobody else's.
            assert assignment["scores"] == []
            await score(api, evaluator, assignment, SCORES[key], comment=f"Note from {key}")

    # Every assignment scored well before the deadline: selection starts at once.
    assert await wait_for_phase(api, cid, "selection") == "selection"
    detail = (await api.get(f"/api/challenges/{cid}")).json()
    entry = detail["timeline"][-1]
    assert entry["actor"] == "system"
    assert "every assignment was scored (24 of 24)" in entry["reason"]

    ranking = await api.get(f"/api/challenges/{cid}/ranking", headers=city.headers)
    assert ranking.status_code == 200
    body = ranking.json()
    assert body["preliminary"] is False and body["what_if"] is False
    assert body["weights"] == {"Impact": 50, "Feasibility": 30, "Cost": 20}
    got = [
        (
            item["rank"],
            number[item["proposal_id"]],
            item["weighted_score"],
            item["normalised_score"],
            item["score_range"],
            item["disagreement"],
        )
        for item in body["items"]
    ]
    assert got == [(r, p, pytest.approx(w), pytest.approx(z, abs=1e-4), pytest.approx(d), f)
                   for r, p, w, z, d, f in EXPECTED]  # fmt: skip
    assert {number[i["proposal_id"]]: i["rank_by_weighted"] for i in body["items"]} == (
        EXPECTED_WEIGHTED_RANK
    )
    assert all(i["evaluators"] == 2 for i in body["items"])
    assert body["unranked_proposal_ids"] == []

    what_if = await api.get(
        f"/api/challenges/{cid}/ranking?weights=Impact:20,Feasibility:30,Cost:50",
        headers=city.headers,
    )
    assert what_if.status_code == 200
    assert [number[i["proposal_id"]] for i in what_if.json()["items"]] == EXPECTED_WHAT_IF_ORDER
    assert {number[i["proposal_id"]]: i["published_rank"] for i in what_if.json()["items"]} == {
        p: r for r, p, *_ in EXPECTED
    }
    unchanged = (await api.get(f"/api/challenges/{cid}")).json()["criteria"]
    assert [c["weight"] for c in unchanged] == [50, 30, 20]

    # Nobody but the city reads the ranking; no startup sees scores before the outcome.
    for outsider in (e1, startups[0], await actors.resident()):
        denied = await api.get(f"/api/challenges/{cid}/ranking", headers=outsider.headers)
        assert denied.status_code == 403
    own = await api.get(f"/api/proposals/{proposals[5]}", headers=startups[4].headers)
    assert own.json()["evaluation"] is None
    other_evaluator = await api.get(f"/api/assignments/{on_p1['id']}", headers=e1.headers)
    assert other_evaluator.status_code == 403

    too_many = await api.post(
        f"/api/challenges/{cid}/shortlist",
        json={"proposal_ids": [proposals[5], proposals[12], proposals[10]]},
        headers=city.headers,
    )
    assert too_many.status_code == 422
    assert too_many.json()["extra"][0]["key"] == "proposal_ids"

    approved = await api.post(
        f"/api/challenges/{cid}/shortlist",
        json={"proposal_ids": [proposals[5], proposals[12]], "reason": "The two best"},
        headers=city.headers,
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["phase"] == "piloting"
    assert sorted((p["proposal_id"], p["status"]) for p in approved.json()["pilots"]) == sorted(
        [(proposals[5], "agreement"), (proposals[12], "agreement")]
    )
    assert [e["phase"] for e in approved.json()["timeline"]] == [
        "open",
        "review",
        "selection",
        "piloting",
    ]

    # Every startup hears its outcome, with its own scores and anonymous comments.
    await eventually(
        lambda: reminders_for(api, startups[-1], "selection_outcome"), lambda found: found != []
    )
    for n, startup in enumerate(startups, start=1):
        [outcome] = [
            m for m in await notifications(api, startup) if m["kind"] == "selection_outcome"
        ]
        selected = n in (5, 12)
        assert outcome["title"] == f"\u201cProposal {n}\u201d " + (
            "was selected" if selected else "was not selected"
        )
        assert "Impact (weight 50%)" in outcome["body"]
        assert "Evaluator 1" in outcome["body"]
        assert all(e.display_name not in outcome["body"].replace("Evaluator 1,", "")
                   .replace("Evaluator 2,", "") for e in evaluators)  # fmt: skip
    view = (await api.get(f"/api/proposals/{proposals[5]}", headers=startups[4].headers)).json()
    evaluation = view["evaluation"]
    assert view["status"] == "selected"
    assert evaluation["rank"] == 1 and evaluation["ranked_count"] == 12
    assert evaluation["weighted_score"] == pytest.approx(8.0)
    assert [(c["name"], c["mean_score"]) for c in evaluation["criteria"]] == [
        ("Impact", 7.5),
        ("Feasibility", 8.5),
        ("Cost", 8.5),
    ]
    assert {c["evaluator"] for c in evaluation["comments"]} == {"Evaluator 1", "Evaluator 2"}
    not_selected = await api.get(f"/api/proposals/{proposals[8]}", headers=startups[7].headers)
    assert not_selected.json()["evaluation"]["outcome"] == "not_selected"
    assert not_selected.json()["evaluation"]["rank"] == 12


async def reminders_for(api, account, kind: str) -> list[dict]:
    return [n for n in await notifications(api, account) if n["kind"] == kind]


async def test_the_review_deadline_moves_on_with_what_is_there_and_reminds_on_the_way(
    api, actors, temporal: WorkflowEnvironment
):
    city = await actors.city()
    evaluators = [await actors.evaluator() for _ in range(2)]
    startups = [await actors.startup() for _ in range(3)]
    challenge = await open_challenge(
        api, city, close_in=timedelta(days=10), review_for=timedelta(days=14),
        review_reminder_days=[3, 1],
    )  # fmt: skip
    cid = challenge["id"]
    ids = [(await submit(api, s, cid)).json()["id"] for s in startups]
    await temporal.sleep(timedelta(days=11))
    await wait_for_phase(api, cid, "review")
    for pid in ids:
        await screen(api, city, pid)
    await assign(api, city, cid, evaluators)  # everyone on everything: 6 assignments
    diligent, late = evaluators
    for assignment in await my_assignments(api, diligent):
        await score(api, diligent, assignment, (7, 7, 7))

    await temporal.sleep(timedelta(days=11))  # day 22: 2 days before the deadline
    reminders = await eventually(
        lambda: reminders_for(api, late, "review_reminder"), lambda found: len(found) == 1
    )
    assert [n["title"].split(" to score")[0] for n in reminders] == ["3 days left"]
    assert "3 proposals still to score" in reminders[0]["body"]
    assert not [n for n in await notifications(api, diligent) if n["kind"] == "review_reminder"]

    await temporal.sleep(timedelta(days=3))  # past the deadline
    assert await wait_for_phase(api, cid, "selection") == "selection"
    entry = (await api.get(f"/api/challenges/{cid}")).json()["timeline"][-1]
    assert entry["actor"] == "timer"
    assert "deadline passed with 3 of 6 assignments scored" in entry["reason"]
    titles = [n["title"] for n in await notifications(api, late) if n["kind"] == "review_reminder"]
    assert sorted(t.split(" to score")[0] for t in titles) == ["1 day left", "3 days left"]

    # Scores missing from one evaluator: the ranking stands on the complete ones.
    ranking = (await api.get(f"/api/challenges/{cid}/ranking", headers=city.headers)).json()
    assert [i["evaluators"] for i in ranking["items"]] == [1, 1, 1]
    assert all(i["weighted_score"] == pytest.approx(7.0) for i in ranking["items"])
    # Equal scores everywhere: the earlier submission ranks first, by the documented rule.
    assert [i["proposal_id"] for i in ranking["items"]] == sorted(ids)

    # Too late to score now.
    [open_work] = [a for a in await my_assignments(api, late)][:1]
    refused = await api.put(
        f"/api/assignments/{open_work['id']}/scores",
        json={"scores": [{"criterion_id": c["id"], "score": 5} for c in open_work["criteria"]]},
        headers=late.headers,
    )
    assert refused.status_code == 409
    assert refused.json()["extra"]["phase"] == "selection"

    # The city is reminded while the shortlist waits.
    await temporal.sleep(timedelta(days=8))
    reminder = await eventually(
        lambda: reminders_for(api, city, "selection_reminder"), lambda found: len(found) == 1
    )
    assert len(reminder) == 1
    assert "waiting for its shortlist" in reminder[0]["title"]
    await record(temporal.client, "review-deadline", [f"challenge-{cid}"])
