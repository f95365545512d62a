"""What a running pilot shows the public: KPI values against their targets, milestones
and the agreement are public accountability; the startup's own words (KPI report
notes, milestone completion notes) are for the city, the startup and the pilot's
evaluators only (service/pilots/rules.py says why)."""

from __future__ import annotations

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from tests.builders import challenge_in_piloting, iso, wait_for_pilot

KPI_NOTE = "Sensor 4 failed twice; our supplier Acme BV replaced it at cost EUR 1,200."
MILESTONE_NOTE = "Installed on Dapperstraat; contact for residents: j.jansen@example.org"


async def test_the_public_sees_kpi_results_but_not_the_startups_notes(
    api, actors, temporal: WorkflowEnvironment
):
    city, startup, other_startup = (
        await actors.city(),
        await actors.startup(),
        await actors.startup(),
    )
    evaluator, outsider_evaluator = await actors.evaluator(), await actors.evaluator()
    resident = await actors.resident()
    challenge, _, pilots, t0 = await challenge_in_piloting(
        api, city, [startup, other_startup], [evaluator], temporal, selected=1
    )
    [pilot_id] = pilots.values()
    start = t0 + timedelta(days=2)
    agreement = await api.post(
        f"/api/pilots/{pilot_id}/agreement",
        json={
            "starts_at": iso(start),
            "ends_at": iso(start + timedelta(days=60)),
            "budget_eur": 40000,
            "milestones": [
                {"title": "Sensors installed", "due_at": iso(start + timedelta(days=10))}
            ],
        },
        headers=city.headers,
    )
    assert agreement.status_code == 200, agreement.text
    assert (
        await api.post(f"/api/pilots/{pilot_id}/accept", headers=startup.headers)
    ).status_code == 200
    await temporal.sleep(timedelta(days=3))
    assert await wait_for_pilot(api, pilot_id, "running") == "running"

    pilot = (await api.get(f"/api/pilots/{pilot_id}", headers=city.headers)).json()
    [milestone] = pilot["milestones"]
    completed = await api.post(
        f"/api/pilots/{pilot_id}/milestones/{milestone['id']}/complete",
        json={"note": MILESTONE_NOTE},
        headers=startup.headers,
    )
    assert completed.status_code == 200, completed.text
    kpi = challenge["kpis"][0]
    report = await api.post(
        f"/api/pilots/{pilot_id}/kpi-reports",
        json={"values": [{"kpi_id": kpi["id"], "value": 2.5}], "note": KPI_NOTE},
        headers=startup.headers,
    )
    assert report.status_code in (200, 201), report.text
    assert report.json()["note"] == KPI_NOTE  # the startup reads back what it wrote

    for reader in (None, resident, other_startup, outsider_evaluator):
        headers = reader.headers if reader else {}
        response = await api.get(f"/api/pilots/{pilot_id}", headers=headers)
        assert response.status_code == 200
        seen = response.json()
        assert KPI_NOTE not in response.text and MILESTONE_NOTE not in response.text
        assert [r["note"] for r in seen["kpi_reports"]] == [None]
        assert seen["milestones"][0]["completion_note"] is None
        # What the pilot achieved stays public.
        assert seen["kpi_reports"][0]["values"] == [{"kpi_id": kpi["id"], "value": 2.5}]
        [result] = [r for r in seen["kpi_results"] if r["kpi_id"] == kpi["id"]]
        assert (result["value"], result["target"], result["met"]) == (2.5, kpi["target"], True)
        assert seen["milestones"][0]["completed_at"] is not None
        assert float(seen["budget_eur"]) == 40000

    for reader in (city, startup, evaluator):
        seen = (await api.get(f"/api/pilots/{pilot_id}", headers=reader.headers)).json()
        assert [r["note"] for r in seen["kpi_reports"]] == [KPI_NOTE]
        assert seen["milestones"][0]["completion_note"] == MILESTONE_NOTE
