"""Screening during the review: eligible or not with a reason, requests for more
information with a reply deadline that the workflow enforces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from tests.builders import (
    challenge_in_review,
    iso,
    notifications,
    open_challenge,
    screen,
    submit,
)
from tests.replay.recording import record
from tests.stack import eventually


async def status_of(api, startup, proposal_id: int) -> str:
    return (await api.get(f"/api/proposals/{proposal_id}", headers=startup.headers)).json()[
        "status"
    ]


async def test_an_unanswered_request_screens_the_proposal_out_at_its_deadline(
    api, actors, temporal: WorkflowEnvironment
):
    city, startup = await actors.city(), await actors.startup()
    challenge, [pid] = await challenge_in_review(api, city, [startup], temporal)
    # Five days after the call closed, by the workflow's (skipped-ahead) clock.
    deadline = datetime.fromisoformat(challenge["proposals_close_at"]) + timedelta(days=5)
    asked = await api.post(
        f"/api/proposals/{pid}/info-requests",
        json={"question": "Which permits do the poles need?", "reply_deadline": iso(deadline)},
        headers=city.headers,
    )
    assert asked.status_code == 201, asked.text
    assert await status_of(api, startup, pid) == "info_requested"
    told = await notifications(api, startup)
    assert told[0]["kind"] == "info_requested"
    assert "Which permits" in told[0]["body"]

    await temporal.sleep(timedelta(days=6))
    status = await eventually(lambda: status_of(api, startup, pid), lambda s: s == "ineligible")
    assert status == "ineligible"
    proposal = (await api.get(f"/api/proposals/{pid}", headers=startup.headers)).json()
    assert "No reply to the city's request for information" in proposal["screening_reason"]
    assert "Which permits" in proposal["screening_reason"]

    history = (await api.get(f"/api/proposals/{pid}/history", headers=startup.headers)).json()
    assert [(e["kind"], e["actor"]) for e in history["events"]] == [
        ("info_requested", f"user:{city.id}"),
        ("screened_out_no_reply", "timer"),
    ]
    assert history["info_requests"][0]["status"] == "expired"
    assert any(n["title"].endswith("was screened out") for n in await notifications(api, startup))
    # The review itself goes on.
    assert (await api.get(f"/api/challenges/{challenge['id']}")).json()["phase"] == "review"
    await record(temporal.client, "info-request-expired", [f"challenge-{challenge['id']}"])


async def test_an_answered_request_goes_back_to_the_city_and_the_history_shows_both(
    api, actors, temporal: WorkflowEnvironment
):
    city, startup, rival = await actors.city(), await actors.startup(), await actors.startup()
    challenge, [pid] = await challenge_in_review(api, city, [startup], temporal)
    # By the workflow's clock, which skipped past the close: a deadline from the wall
    # clock would already have passed for it, and the request expire before the answer.
    deadline = datetime.fromisoformat(challenge["proposals_close_at"]) + timedelta(days=5)
    request = (
        await api.post(
            f"/api/proposals/{pid}/info-requests",
            json={
                "question": "What does maintenance cost per year?",
                "reply_deadline": iso(deadline),
            },
            headers=city.headers,
        )
    ).json()
    url = f"/api/info-requests/{request['id']}/answer"
    assert (await api.post(url, json={"body": "Mine!"}, headers=rival.headers)).status_code == 403
    answered = await api.post(
        url, json={"body": "About 1,200 EUR a year."}, headers=startup.headers
    )
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered"
    assert await status_of(api, startup, pid) == "submitted"
    again = await api.post(url, json={"body": "Or less."}, headers=startup.headers)
    assert again.status_code == 409

    told = [n for n in await notifications(api, city) if n["kind"] == "info_answered"]
    assert "About 1,200 EUR a year." in told[0]["body"]

    screened = await screen(api, city, pid, eligible=True, reason="Costs are clear now")
    assert screened["status"] == "eligible"
    history = (await api.get(f"/api/proposals/{pid}/history", headers=city.headers)).json()
    assert [e["kind"] for e in history["events"]] == [
        "info_requested",
        "info_answered",
        "screened_eligible",
    ]
    assert history["events"][1]["body"] == "About 1,200 EUR a year."
    hidden = await api.get(f"/api/proposals/{pid}/history", headers=rival.headers)
    assert hidden.status_code == 403


async def test_screening_rules(api, actors, temporal: WorkflowEnvironment):
    city, startup = await actors.city(), await actors.startup()
    challenge, [pid] = await challenge_in_review(api, city, [startup], temporal)

    no_reason = await api.post(
        f"/api/proposals/{pid}/screening", json={"eligible": False}, headers=city.headers
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["extra"][0]["key"] == "reason"

    ineligible = await screen(api, city, pid, eligible=False, reason="Outside the test bed area")
    assert ineligible["status"] == "ineligible"
    assert ineligible["screening_reason"] == "Outside the test bed area"
    mine = (await api.get(f"/api/proposals/{pid}", headers=startup.headers)).json()
    assert mine["screening_reason"] == "Outside the test bed area"
    told = await notifications(api, startup)
    assert told[0]["title"].endswith("was screened: not eligible")

    late = datetime.fromisoformat(challenge["review_deadline"]) + timedelta(days=1)
    for deadline, why in [
        (late, "before the review deadline"),
        (datetime.now(UTC) - timedelta(hours=1), "future"),
    ]:
        refused = await api.post(
            f"/api/proposals/{pid}/info-requests",
            json={"question": "Anything else?", "reply_deadline": iso(deadline)},
            headers=city.headers,
        )
        assert refused.status_code == 422
        assert refused.json()["extra"][0]["key"] == "reply_deadline"
        assert why in refused.json()["extra"][0]["message"]


async def test_screening_waits_for_the_review(api, actors, worker):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_challenge(api, city)
    pid = (await submit(api, startup, challenge["id"])).json()["id"]
    refused = await api.post(
        f"/api/proposals/{pid}/screening", json={"eligible": True}, headers=city.headers
    )
    assert refused.status_code == 409
    assert refused.json()["extra"]["phase"] == "open"
