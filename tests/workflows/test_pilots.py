"""Pilots: durable through a worker's death, cancelled cleanly with their challenge,
declined slots refilled, and the rules on who decides and reports what."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from service.challenges.models import PhaseTransition
from service.settings import Settings
from tests.builders import (
    agree,
    challenge_in_piloting,
    iso,
    notifications,
    wait_for_pilot,
)
from tests.replay.recording import record
from tests.stack import ThreadedWorker, eventually


async def test_a_new_worker_ends_the_pilot_on_time_after_the_old_one_died(
    api, actors, temporal: WorkflowEnvironment, worker: ThreadedWorker, settings: Settings,
    sessions,
):  # fmt: skip
    city, startup, evaluator = await actors.city(), await actors.startup(), await actors.evaluator()
    _, _, pilots, t0 = await challenge_in_piloting(api, city, [startup], [evaluator], temporal)
    [pilot_id] = pilots.values()
    start, end = t0 + timedelta(days=5), t0 + timedelta(days=65)
    await agree(api, city, startup, pilot_id, start, days=60)
    await temporal.sleep(timedelta(days=6))
    assert await wait_for_pilot(api, pilot_id, "running") == "running"

    worker.stop()
    await temporal.sleep(timedelta(days=50))  # the pilot waits for its end; no worker at all
    assert (await api.get(f"/api/pilots/{pilot_id}")).json()["status"] == "running"

    replacement = ThreadedWorker(settings).start()
    try:
        await temporal.sleep(timedelta(days=10))  # past the end date
        assert await wait_for_pilot(api, pilot_id, "evaluation") == "evaluation"
    finally:
        replacement.stop()

    async with sessions() as session:
        rows = (
            await session.exec(select(PhaseTransition).where(PhaseTransition.pilot_id == pilot_id))
        ).all()
    assert [r.to_phase for r in rows] == ["running", "evaluation"]
    ended = rows[1].at
    assert end <= ended < end + timedelta(minutes=1), "evaluation starts at the end date"


async def test_cancelling_while_piloting_stops_every_pilot_and_ends_its_workflow(
    api, actors, temporal: WorkflowEnvironment
):
    city, evaluator = await actors.city(), await actors.evaluator()
    startups = [await actors.startup() for _ in range(2)]
    challenge, _, pilots, t0 = await challenge_in_piloting(
        api, city, startups, [evaluator], temporal
    )
    running, waiting = pilots.values()
    await agree(api, city, startups[0], running, t0 + timedelta(days=2))
    await temporal.sleep(timedelta(days=3))
    await wait_for_pilot(api, running, "running")

    cancelled = await api.post(
        f"/api/challenges/{challenge['id']}/cancel",
        json={"reason": "The test bed streets are being rebuilt"},
        headers=city.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["phase"] == "cancelled"
    assert {p["status"] for p in cancelled.json()["pilots"]} == {"stopped"}
    for pilot_id in (running, waiting):
        pilot = (await api.get(f"/api/pilots/{pilot_id}")).json()
        assert pilot["decisions"][-1]["decision"] == "cancelled"
        assert "being rebuilt" in pilot["decisions"][-1]["reason"]
        description = await temporal.client.get_workflow_handle(f"pilot-{pilot_id}").describe()
        assert description.status == WorkflowExecutionStatus.COMPLETED
    told = await eventually(
        lambda: notifications(api, startups[0]),
        lambda found: any(n["kind"] == "pilot_decision" for n in found),
    )
    assert any("the challenge was cancelled" in n["title"] for n in told)
    report = await api.get(f"/api/challenges/{challenge['id']}/report")
    assert report.status_code == 200
    assert report.json()["challenge"]["cancel_reason"] == "The test bed streets are being rebuilt"
    await record(
        temporal.client,
        "cancelled-while-piloting",
        [f"challenge-{challenge['id']}", f"pilot-{running}", f"pilot-{waiting}"],
    )


async def test_a_declined_agreement_frees_the_slot_for_the_next_proposal(
    api, actors, temporal: WorkflowEnvironment
):
    city, evaluator = await actors.city(), await actors.evaluator()
    startups = [await actors.startup() for _ in range(3)]
    challenge, ids, pilots, t0 = await challenge_in_piloting(
        api, city, startups, [evaluator], temporal, selected=2, max_pilots=2
    )
    first_pilot = pilots[ids[0]]
    full = await api.post(
        f"/api/challenges/{challenge['id']}/pilots",
        json={"proposal_id": ids[2]},
        headers=city.headers,
    )
    assert full.status_code == 409
    assert "slots are taken" in full.json()["detail"]

    await api.post(
        f"/api/pilots/{first_pilot}/agreement",
        json={"starts_at": iso(t0 + timedelta(days=5)), "ends_at": iso(t0 + timedelta(days=50)),
              "budget_eur": 30000},
        headers=city.headers,
    )  # fmt: skip
    declined = await api.post(
        f"/api/pilots/{first_pilot}/decline",
        json={"reason": "We lost our installer"},
        headers=startups[0].headers,
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "stopped"
    assert declined.json()["decline_reason"] == "We lost our installer"
    told = [n for n in await notifications(api, city) if n["kind"] == "pilot_decision"]
    assert "declined" in told[0]["title"]
    again = await api.post(f"/api/pilots/{first_pilot}/accept", headers=startups[0].headers)
    assert again.status_code == 409

    replacement = await api.post(
        f"/api/challenges/{challenge['id']}/pilots",
        json={"proposal_id": ids[2]},
        headers=city.headers,
    )
    assert replacement.status_code == 201, replacement.text
    assert replacement.json()["status"] == "agreement"
    assert replacement.json()["startup_id"] == startups[2].id
    proposal = await api.get(f"/api/proposals/{ids[2]}", headers=startups[2].headers)
    assert proposal.json()["status"] == "selected"
    assert (await api.get(f"/api/challenges/{challenge['id']}")).json()["phase"] == "piloting"
    await record(
        temporal.client,
        "declined-and-replaced",
        [f"challenge-{challenge['id']}", f"pilot-{first_pilot}"],
    )


async def test_who_may_do_what_to_a_pilot_and_what_input_is_refused(
    api, actors, temporal: WorkflowEnvironment
):
    city, evaluator, outsider = (
        await actors.city(),
        await actors.evaluator(),
        await actors.evaluator(),
    )
    mine, theirs = await actors.startup(), await actors.startup()
    challenge, ids, pilots, t0 = await challenge_in_piloting(
        api, city, [mine, theirs], [evaluator], temporal, pilot_budget_cap_eur=50000
    )
    pilot_id = pilots[ids[0]]
    url = f"/api/pilots/{pilot_id}"
    start, end = t0 + timedelta(days=5), t0 + timedelta(days=35)
    installed = {"title": "Installed", "due_at": iso(start + timedelta(days=3))}
    agreement = {"starts_at": iso(start), "ends_at": iso(end), "budget_eur": 40000,
                 "milestones": [installed]}  # fmt: skip

    for body, key in [
        ({**agreement, "budget_eur": 50000.01}, "budget_eur"),
        ({**agreement, "ends_at": iso(start - timedelta(days=1))}, ""),
        ({**agreement, "milestones": [{"title": "Late", "due_at": iso(end + timedelta(days=1))}]},
         "milestones"),
        ({**agreement, "starts_at": "2020-01-01T00:00:00Z", "ends_at": "2020-02-01T00:00:00Z",
          "milestones": []}, "starts_at"),
    ]:  # fmt: skip
        refused = await api.post(f"{url}/agreement", json=body, headers=city.headers)
        assert refused.status_code == 422, body
        if key:
            assert refused.json()["extra"][0]["key"] == key
    assert (
        await api.post(f"{url}/agreement", json=agreement, headers=mine.headers)
    ).status_code == 403
    not_yet = await api.post(f"{url}/accept", headers=mine.headers)
    assert not_yet.status_code == 409 and "not set the agreement" in not_yet.json()["detail"]

    assert (
        await api.post(f"{url}/agreement", json=agreement, headers=city.headers)
    ).status_code == 200
    assert (await api.post(f"{url}/accept", headers=theirs.headers)).status_code == 403
    assert (await api.post(f"{url}/accept", headers=mine.headers)).status_code == 200
    frozen = await api.post(f"{url}/agreement", json=agreement, headers=city.headers)
    assert frozen.status_code == 409

    kpi = challenge["kpis"][0]["id"]
    early = await api.post(f"{url}/kpi-reports", json={"values": [{"kpi_id": kpi, "value": 1}]},
                           headers=mine.headers)  # fmt: skip
    assert early.status_code == 409 and early.json()["extra"]["phase"] == "agreement"

    await temporal.sleep(timedelta(days=6))
    await wait_for_pilot(api, pilot_id, "running")
    report = {"values": [{"kpi_id": kpi, "value": 2.2}], "note": "first week"}
    assert (
        await api.post(f"{url}/kpi-reports", json=report, headers=theirs.headers)
    ).status_code == 403
    assert (
        await api.post(f"{url}/kpi-reports", json=report, headers=city.headers)
    ).status_code == 403
    unknown = await api.post(f"{url}/kpi-reports", json={"values": [{"kpi_id": 999, "value": 1}]},
                             headers=mine.headers)  # fmt: skip
    assert unknown.status_code == 422 and unknown.json()["extra"][0]["key"] == "values.0.kpi_id"
    assert (
        await api.post(f"{url}/kpi-reports", json=report, headers=mine.headers)
    ).status_code == 201

    decision = {"decision": "stop", "reason": "Not working"}
    early_decision = await api.post(f"{url}/decision", json=decision, headers=city.headers)
    assert early_decision.status_code == 409
    assert early_decision.json()["extra"]["phase"] == "running"
    score = {"score": 7, "comment": "fine"}
    assert (
        await api.put(f"{url}/evaluation", json=score, headers=evaluator.headers)
    ).status_code == 409

    await temporal.sleep(timedelta(days=30))
    await wait_for_pilot(api, pilot_id, "evaluation")
    assert (
        await api.put(f"{url}/evaluation", json=score, headers=outsider.headers)
    ).status_code == 403
    assert (
        await api.put(f"{url}/evaluation", json={"score": 11}, headers=evaluator.headers)
    ).status_code == 422
    assert (
        await api.put(f"{url}/evaluation", json=score, headers=evaluator.headers)
    ).status_code == 200
    for startup in (mine, theirs):
        assert (
            await api.post(f"{url}/decision", json=decision, headers=startup.headers)
        ).status_code == 403
    for body, key in [
        ({"decision": "scale_up", "reason": "Great"}, "plan"),
        ({"decision": "extend", "reason": "More data"}, "new_end_at"),
        ({"decision": "pause", "reason": "Hm"}, "decision"),
        ({"decision": "stop", "reason": ""}, "reason"),
    ]:
        refused = await api.post(f"{url}/decision", json=body, headers=city.headers)
        assert refused.status_code == 422, body
        assert refused.json()["extra"][0]["key"] == key

    # Extensions are bounded: two, then the city must decide for good.
    for n in (1, 2):
        now = datetime.fromisoformat((await api.get(url)).json()["timeline"][-1]["at"])
        extended = await api.post(
            f"{url}/decision",
            json={"decision": "extend", "reason": f"Extension {n}",
                  "new_end_at": iso(now + timedelta(days=10))},
            headers=city.headers,
        )  # fmt: skip
        assert extended.status_code == 200, extended.text
        await temporal.sleep(timedelta(days=11))
        await wait_for_pilot(api, pilot_id, "evaluation")
    third = await api.post(
        f"{url}/decision",
        json={
            "decision": "extend",
            "reason": "Once more",
            "new_end_at": iso(end + timedelta(days=90)),
        },
        headers=city.headers,
    )
    assert third.status_code == 409
    assert "extended 2 times" in third.json()["detail"]
    assert (await api.get(url)).json()["extensions_left"] == 0

    not_closed = await api.get(f"/api/challenges/{challenge['id']}/report")
    assert not_closed.status_code == 409
    assert not_closed.json()["extra"]["phase"] == "piloting"
