"""Followers hear of every phase change, and of their pilots starting and ending; the
startups involved too. Each change is told once, however often its activity runs."""

from __future__ import annotations

from datetime import timedelta

from schemas.common import ActorKind
from schemas.workflows import RecordTransitionInput
from tests.builders import open_challenge, phase_of, submit
from tests.feedback import running_pilot
from tests.stack import eventually
from workflows.activities.phases import PhaseActivities


async def titles(api, account, kind: str | None = None) -> list[str]:
    items = (await api.get("/api/me/notifications", headers=account.headers)).json()["items"]
    return [n["title"] for n in items if kind is None or n["kind"] == kind]


async def test_the_call_closing_is_told_to_followers_and_startups_once(api, actors, temporal):
    city = await actors.city()
    follower, speaker, bystander = [await actors.resident() for _ in range(3)]
    startup, quitter = await actors.startup(), await actors.startup()
    challenge = await open_challenge(api, city, title="Quiet nights", close_in=timedelta(days=30))
    cid = challenge["id"]
    await api.post(f"/api/challenges/{cid}/follow", headers=follower.headers)
    await api.post(f"/api/challenges/{cid}/inputs", json={"body": "Hi"}, headers=speaker.headers)
    assert (await submit(api, startup, cid)).status_code == 201
    withdrawn = (await submit(api, quitter, cid)).json()
    await api.post(f"/api/proposals/{withdrawn['id']}/withdraw", headers=quitter.headers)

    await temporal.sleep(timedelta(days=31))
    assert await eventually(lambda: phase_of(api, cid), lambda p: p == "review") == "review"
    for person in (follower, speaker, startup):
        told = await eventually(lambda person=person: titles(api, person), lambda t: t != [])
        assert told == ["The call for “Quiet nights” has closed"]
    for person in (bystander, quitter, city):
        assert await titles(api, person, "phase_changed") == []


async def test_a_pilot_starting_is_told_to_followers_and_its_startup_once(
    api, actors, sessions, worker
):
    city, follower, startup = await actors.city(), await actors.resident(), await actors.startup()
    challenge = await open_challenge(api, city, title="Quiet nights")
    await api.post(f"/api/challenges/{challenge['id']}/follow", headers=follower.headers)
    pilot_id = await running_pilot(
        api, sessions, challenge["id"], startup, title="Rubber tram rails", status="agreement"
    )
    activities = PhaseActivities(sessions)
    transition = RecordTransitionInput(
        challenge_id=challenge["id"],
        pilot_id=pilot_id,
        to_phase="running",
        at=challenge["proposals_close_at"],
        actor_kind=ActorKind.TIMER,
        key=f"pilot-{pilot_id}-running",
    )
    first = await activities.record_transition(transition)
    again = await activities.record_transition(transition)  # a retried activity
    assert first.recorded and not again.recorded

    for person in (follower, startup):
        assert await titles(api, person, "pilot_changed") == [
            "Pilot “Rubber tram rails” is running in the test bed"
        ]
    stopped = transition.model_copy(
        update={"to_phase": "stopped", "reason": "Too noisy", "key": f"pilot-{pilot_id}-stopped"}
    )
    await activities.record_transition(stopped)
    [latest, _] = (await api.get("/api/me/notifications", headers=follower.headers)).json()["items"]
    assert latest["title"] == "Decision: pilot “Rubber tram rails” is stopped"
    assert "Too noisy" in latest["body"]
    # A resident follows the pilot on the challenge's public page (never the JSON API).
    assert latest["link"] == f"/challenges/{challenge['id']}"
