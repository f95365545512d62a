"""A whole challenge on the time-skipping server, from publish to closed, with two
pilots: one scaled up, one extended once and then stopped."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from tests.builders import (
    assign,
    iso,
    my_assignments,
    notifications,
    open_challenge,
    score,
    screen,
    submit,
    wait_for_phase,
    wait_for_pilot,
)
from tests.replay.recording import record
from tests.stack import eventually


async def kinds(api, account, kind: str) -> list[dict]:
    return [n for n in await notifications(api, account) if n["kind"] == kind]


async def test_publish_to_closed_with_one_pilot_scaled_up_and_one_extended_then_stopped(
    api, actors, temporal: WorkflowEnvironment
):
    city = await actors.city()
    cool, shade, late = [await actors.startup(name) for name in ("Cool BV", "Shade BV", "Late BV")]
    evaluators = [await actors.evaluator() for _ in range(2)]
    neighbour, cyclist = await actors.resident("Neighbour"), await actors.resident("Cyclist")
    challenge = await open_challenge(
        api, city, max_pilots=2, close_in=timedelta(days=10), review_for=timedelta(days=20)
    )
    cid = challenge["id"]
    p_cool, p_shade, p_late = [
        (await submit(api, startup, cid, title=f"Proposal {n}")).json()["id"]
        for n, startup in enumerate((cool, shade, late), start=1)
    ]
    # Residents speak up on the problem while the call is open; that follows the challenge.
    problem_input = await api.post(
        f"/api/challenges/{cid}/inputs",
        json={"body": "Please keep the pavement free for wheelchairs."},
        headers=neighbour.headers,
    )
    assert problem_input.status_code == 201, problem_input.text
    follow = await api.post(f"/api/challenges/{cid}/follow", headers=cyclist.headers)
    assert follow.status_code in (200, 201), follow.text
    await temporal.sleep(timedelta(days=11))
    await wait_for_phase(api, cid, "review")
    await api.patch(  # consent is the startup's to give; "Late BV" keeps its title private
        f"/api/proposals/{p_shade}", json={"public_title_consent": True}, headers=shade.headers
    )

    for pid in (p_cool, p_shade, p_late):
        await screen(api, city, pid)
    await assign(api, city, cid, evaluators)
    marks = {p_cool: (9, 8, 8), p_shade: (7, 7, 6), p_late: (4, 5, 5)}
    for evaluator in evaluators:
        for assignment in await my_assignments(api, evaluator):
            await score(api, evaluator, assignment, marks[assignment["proposal_id"]], "ok")
    await wait_for_phase(api, cid, "selection")
    shortlist = await api.post(
        f"/api/challenges/{cid}/shortlist",
        json={"proposal_ids": [p_cool, p_shade]},
        headers=city.headers,
    )
    assert shortlist.status_code == 200, shortlist.text
    pilots = {p["proposal_id"]: p["id"] for p in shortlist.json()["pilots"]}
    pilot_a, pilot_b = pilots[p_cool], pilots[p_shade]
    # The workflow's clock (skipped ahead of ours): the moment the pilots were created.
    t0 = datetime.fromisoformat(shortlist.json()["timeline"][-1]["at"])

    for pilot_id, startup in ((pilot_a, cool), (pilot_b, shade)):
        agreement = await api.post(
            f"/api/pilots/{pilot_id}/agreement",
            json={
                "starts_at": iso(t0 + timedelta(days=10)),
                "ends_at": iso(t0 + timedelta(days=100)),
                "budget_eur": 45000,
                "milestones": [
                    {"title": "Poles installed", "due_at": iso(t0 + timedelta(days=40))},
                    {"title": "Summer measurements", "due_at": iso(t0 + timedelta(days=90))},
                ],
            },
            headers=city.headers,
        )
        assert agreement.status_code == 200, agreement.text
        assert [m["title"] for m in agreement.json()["milestones"]] == [
            "Poles installed",
            "Summer measurements",
        ]
        assert (await kinds(api, startup, "pilot_agreement"))[0]["pilot_id"] == pilot_id
        accepted = await api.post(f"/api/pilots/{pilot_id}/accept", headers=startup.headers)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "agreement"

    await temporal.sleep(timedelta(days=11))
    assert await wait_for_pilot(api, pilot_a, "running") == "running"
    assert await wait_for_pilot(api, pilot_b, "running") == "running"

    # Residents rate the pilots in the street; the city answers the problem input and
    # the low rating.
    ratings = {pilot_a: [(neighbour, 5), (cyclist, 4)], pilot_b: [(neighbour, 2)]}
    for pilot_id, given in ratings.items():
        for resident, rating in given:
            said = await api.post(
                f"/api/pilots/{pilot_id}/inputs",
                json={"body": f"My rating: {rating} of 5", "rating": rating},
                headers=resident.headers,
            )
            assert said.status_code == 201, said.text
    answered = await api.post(
        f"/api/inputs/{problem_input.json()['id']}/response",
        json={"body": "Every pole stands in the parking lane, not on the pavement."},
        headers=city.headers,
    )
    assert answered.status_code == 200, answered.text
    low_rating = said.json()["id"]  # the last one given: pilot B's
    answered = await api.post(
        f"/api/inputs/{low_rating}/response",
        json={"body": "We measure again after the extension."},
        headers=city.headers,
    )
    assert answered.status_code == 200, answered.text

    a = (await api.get(f"/api/pilots/{pilot_a}")).json()
    done = await api.post(
        f"/api/pilots/{pilot_a}/milestones/{a['milestones'][0]['id']}/complete",
        json={"note": "40 poles in three streets"},
        headers=cool.headers,
    )
    assert done.status_code == 200
    assert done.json()["milestones"][0]["completed_at"] is not None

    kpis = {k["name"]: k["id"] for k in challenge["kpis"]}
    for pilot_id, startup, values in (
        (pilot_a, cool, (2.6, 81)),
        (pilot_b, shade, (1.1, 64)),
    ):
        report = await api.post(
            f"/api/pilots/{pilot_id}/kpi-reports",
            json={
                "values": [
                    {"kpi_id": kpis["Peak temperature drop"], "value": values[0]},
                    {"kpi_id": kpis["Resident satisfaction"], "value": values[1]},
                ],
                "note": "July measurements",
            },
            headers=startup.headers,
        )
        assert report.status_code == 201, report.text

    # Shade's first milestone passes its due date unfinished: startup and city are told.
    await temporal.sleep(timedelta(days=30))  # t0 + 41 days
    overdue = await eventually(
        lambda: kinds(api, shade, "milestone_overdue"), lambda found: len(found) == 1
    )
    assert "Poles installed" in overdue[0]["title"]
    assert any("Poles installed" in n["title"] for n in await kinds(api, city, "milestone_overdue"))
    assert await kinds(api, cool, "milestone_overdue") == []

    await temporal.sleep(timedelta(days=60))  # t0 + 101 days: both pilots ended
    assert await wait_for_pilot(api, pilot_a, "evaluation") == "evaluation"
    assert await wait_for_pilot(api, pilot_b, "evaluation") == "evaluation"
    asked = await eventually(
        lambda: kinds(api, evaluators[0], "pilot_evaluation"), lambda found: len(found) == 2
    )
    assert len(asked) == 2

    for evaluator in evaluators:
        for pilot_id, mark in ((pilot_a, 9), (pilot_b, 4)):
            scored = await api.put(
                f"/api/pilots/{pilot_id}/evaluation",
                json={"score": mark, "comment": "Measured, not guessed"},
                headers=evaluator.headers,
            )
            assert scored.status_code == 200, scored.text

    view_a = (await api.get(f"/api/pilots/{pilot_a}", headers=city.headers)).json()
    assert [(k["name"], k["value"], k["met"]) for k in view_a["kpi_results"]] == [
        ("Peak temperature drop", 2.6, True),
        ("Resident satisfaction", 81, True),
    ]
    assert view_a["evaluation"]["mean_score"] == 9
    assert [s["evaluator"] for s in view_a["evaluation"]["scores"]] == [
        "Evaluator 1",
        "Evaluator 2",
    ]

    scale_up = await api.post(
        f"/api/pilots/{pilot_a}/decision",
        json={
            "decision": "scale_up",
            "reason": "Every KPI met; residents want more",
            "plan": {
                "budget_eur": 400000,
                "procurement_route": "innovation_partnership",
                "areas": ["Zuid", "Oost"],
                "starts_at": iso(t0 + timedelta(days=200)),
            },
        },
        headers=city.headers,
    )
    assert scale_up.status_code == 200, scale_up.text
    assert scale_up.json()["status"] == "scale_up"

    new_end = t0 + timedelta(days=130)
    extend = await api.post(
        f"/api/pilots/{pilot_b}/decision",
        json={"decision": "extend", "reason": "Spring data missing", "new_end_at": iso(new_end)},
        headers=city.headers,
    )
    assert extend.status_code == 200, extend.text
    assert extend.json()["status"] == "running"
    assert extend.json()["ends_at"] == new_end.isoformat().replace("+00:00", "Z")
    assert extend.json()["extensions"] == 1

    await temporal.sleep(timedelta(days=30))  # t0 + 131 days: the extension ended
    assert await wait_for_pilot(api, pilot_b, "evaluation") == "evaluation"
    stop = await api.post(
        f"/api/pilots/{pilot_b}/decision",
        json={"decision": "stop", "reason": "Cooling stayed below target after the extension"},
        headers=city.headers,
    )
    assert stop.status_code == 200, stop.text
    assert stop.json()["status"] == "stopped"

    assert await wait_for_phase(api, cid, "closed") == "closed"
    detail = (await api.get(f"/api/challenges/{cid}")).json()
    challenge_steps = [
        (e["from_phase"], e["phase"]) for e in detail["timeline"] if not e["pilot_id"]
    ]
    assert challenge_steps == [
        ("draft", "open"),
        ("open", "review"),
        ("review", "selection"),
        ("selection", "piloting"),
        ("piloting", "closed"),
    ]
    for pilot_id, expected in (
        (pilot_a, ["running", "evaluation", "scale_up"]),
        (pilot_b, ["running", "evaluation", "running", "evaluation", "stopped"]),
    ):
        steps = [e["phase"] for e in detail["timeline"] if e["pilot_id"] == pilot_id]
        assert steps == expected
    moments = [datetime.fromisoformat(e["at"]) for e in detail["timeline"]]
    assert moments == sorted(moments)
    assert {(p["id"], p["status"]) for p in detail["pilots"]} == {
        (pilot_a, "scale_up"),
        (pilot_b, "stopped"),
    }
    assert await eventually(lambda: kinds(api, late, "outcome_report"), lambda found: found != [])
    # A follower heard how the pilots ended, and the challenge closed.
    told = await notifications(api, cyclist)
    assert any("closed" in n["title"] for n in told), [n["title"] for n in told]
    assert sum(1 for n in told if n["pilot_id"] in (pilot_a, pilot_b)) >= 2

    report = await api.get(f"/api/challenges/{cid}/report")
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["challenge"]["phase"] == "closed"
    assert body["proposals"] == {
        "received": 3, "withdrawn": 0, "eligible": 3, "ineligible": 0, "selected": 2,
        "not_selected": 1,
    }  # fmt: skip
    # The not-selected startup did not consent to be named: it is only counted.
    assert [(p["title"], p["outcome"]) for p in body["listed_proposals"]] == [
        ("Proposal 1", "selected"),
        ("Proposal 2", "selected"),
    ]
    by_pilot = {p["pilot_id"]: p for p in body["pilots"]}
    a_out, b_out = by_pilot[pilot_a], by_pilot[pilot_b]
    assert a_out["status"] == "scale_up"
    assert a_out["final_decision"]["decision"] == "scale_up"
    assert a_out["final_decision"]["plan"]["areas"] == ["Zuid", "Oost"]
    assert a_out["final_decision"]["plan"]["procurement_route"] == "innovation_partnership"
    assert [k["met"] for k in a_out["kpi_results"]] == [True, True]
    assert (a_out["milestones_completed"], a_out["milestones_total"]) == (1, 2)
    assert a_out["evaluation"]["mean_score"] == 9
    assert b_out["status"] == "stopped"
    assert b_out["extensions"] == 1
    assert [d["decision"] for d in b_out["decisions"]] == ["extend", "stop"]
    assert b_out["final_decision"]["reason"] == "Cooling stayed below target after the extension"
    assert [k["met"] for k in b_out["kpi_results"]] == [False, False]
    assert [e["phase"] for e in body["timeline"]] == [e["phase"] for e in detail["timeline"]]
    assert (a_out["residents"]["ratings"], a_out["residents"]["average_rating"]) == (2, 4.5)
    assert (b_out["residents"]["ratings"], b_out["residents"]["average_rating"]) == (1, 2.0)
    assert body["residents"]["inputs"] == 4
    said, on_pilot = body["you_said_we_did"]
    assert said["about"] == "the problem"
    assert said["said"] == "Please keep the pavement free for wheelchairs."
    assert said["answer"] == "Every pole stands in the parking lane, not on the pavement."
    assert b_out["proposal_title"] in {"Proposal 1", "Proposal 2"}
    assert on_pilot["about"] == f"pilot: {b_out['proposal_title']}"
    assert (on_pilot["said"], on_pilot["answer"]) == (
        "My rating: 2 of 5",
        "We measure again after the extension.",
    )

    csv_report = await api.get(f"/api/challenges/{cid}/report?format=csv")
    assert csv_report.status_code == 200
    assert csv_report.headers["content-type"] == "text/csv; charset=utf-8"  # named once
    rows = list(csv.DictReader(io.StringIO(csv_report.text)))
    assert {"section", "subject", "field", "value"} <= set(rows[0])
    # The scale-up plan, as the JSON report carries it.
    plan = {
        r["field"].split(" plan: ")[1]: r["value"]
        for r in rows
        if r["subject"] == "Proposal 1" and " plan: " in r["field"]
    }
    assert plan["areas"] == "Zuid; Oost", plan
    assert plan["procurement_route"] == "innovation_partnership"
    assert float(plan["budget_eur"]) == 400000
    decisions = [
        (r["subject"], r["value"])
        for r in rows
        if r["section"] == "pilot" and r["field"] == "final_decision"
    ]
    assert sorted(decisions) == [("Proposal 1", "scale_up"), ("Proposal 2", "stop")]
    await record(
        temporal.client,
        "full-lifecycle",
        [f"challenge-{cid}", f"pilot-{pilot_a}", f"pilot-{pilot_b}"],
    )
