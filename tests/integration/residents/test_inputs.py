"""Residents give input on the problem (while the call is open), on a running pilot
(with an optional rating) and on the outcome; it is stored and shown as plain text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas.common import ChallengePhase, PilotStatus
from tests.builders import open_challenge
from tests.feedback import give_input, running_pilot, set_phase


async def test_a_resident_speaks_up_is_followed_and_everyone_reads_it(api, actors, worker):
    city, resident, other = await actors.city(), await actors.resident(), await actors.resident()
    challenge = await open_challenge(api, city)
    body = "The Marktplein needs shade <script>alert('x')</script> & water."
    given = await give_input(api, resident, challenge["id"], body)

    assert given["body"] == body  # plain text, stored as written
    assert given["stage"] == "problem" and given["status"] == "received"
    assert given["mine"] is True and given["response"] is None
    respond_by = datetime.fromisoformat(given["respond_by"])
    assert (respond_by - datetime.fromisoformat(given["created_at"])).days >= 10

    # Giving input follows the challenge.
    follows = (await api.get("/api/me/follows", headers=resident.headers)).json()["items"]
    assert [f["challenge_id"] for f in follows] == [challenge["id"]]

    public = await api.get(f"/api/challenges/{challenge['id']}/inputs")
    assert public.headers["content-type"].startswith("application/json")
    [item] = public.json()["items"]
    assert item["body"] == body and item["mine"] is False
    assert item["author_id"] is None and item["report_count"] is None
    seen_by_other = (await api.get(f"/api/inputs/{given['id']}", headers=other.headers)).json()
    assert seen_by_other["mine"] is False
    seen_by_city = (await api.get(f"/api/inputs/{given['id']}", headers=city.headers)).json()
    assert seen_by_city["author_id"] == resident.id


async def test_input_on_the_problem_closes_with_the_call(api, actors, sessions, worker):
    city, resident = await actors.city(), await actors.resident()
    challenge = await open_challenge(api, city)
    url = f"/api/challenges/{challenge['id']}/inputs"
    for phase in (ChallengePhase.REVIEW, ChallengePhase.SELECTION, ChallengePhase.PILOTING):
        await set_phase(sessions, challenge["id"], phase)
        refused = await api.post(url, json={"body": "Too late?"}, headers=resident.headers)
        assert refused.status_code == 409, phase
        assert refused.json()["extra"]["phase"] == phase.value

    await set_phase(sessions, challenge["id"], ChallengePhase.CLOSED)
    outcome = await give_input(api, resident, challenge["id"], "Glad the poles stay.")
    assert outcome["stage"] == "outcome"


async def test_input_after_the_deadline_but_before_the_workflow_moved_is_refused(
    api, actors, sessions, worker
):
    from service.challenges.models import Challenge

    city, resident = await actors.city(), await actors.resident()
    challenge = await open_challenge(api, city)
    async with sessions() as session:
        row = await session.get(Challenge, challenge["id"])
        row.proposals_close_at = datetime(2020, 1, 1, tzinfo=UTC)
        session.add(row)
        await session.commit()
    refused = await api.post(
        f"/api/challenges/{challenge['id']}/inputs",
        json={"body": "Just in time?"},
        headers=resident.headers,
    )
    assert refused.status_code == 409
    assert "closed" in refused.json()["detail"]


async def test_a_running_pilot_takes_input_with_a_rating(api, actors, sessions, worker):
    city, resident, startup = await actors.city(), await actors.resident(), await actors.startup()
    challenge = await open_challenge(api, city)
    pilot_id = await running_pilot(api, sessions, challenge["id"], startup)

    rated = await api.post(
        f"/api/pilots/{pilot_id}/inputs",
        json={"body": "Noticeably cooler at noon.", "rating": 4},
        headers=resident.headers,
    )
    assert rated.status_code == 201, rated.text
    assert rated.json()["stage"] == "pilot" and rated.json()["rating"] == 4
    unrated = await api.post(
        f"/api/pilots/{pilot_id}/inputs", json={"body": "Loud pump."}, headers=resident.headers
    )
    assert unrated.status_code == 201 and unrated.json()["rating"] is None

    listed = (await api.get(f"/api/pilots/{pilot_id}/inputs")).json()["items"]
    assert [i["rating"] for i in listed] == [None, 4]
    by_filter = await api.get(f"/api/challenges/{challenge['id']}/inputs?pilot_id={pilot_id}")
    assert len(by_filter.json()["items"]) == 2


@pytest.mark.parametrize("status", [PilotStatus.AGREEMENT, PilotStatus.EVALUATION])
async def test_a_pilot_not_running_takes_no_input(api, actors, sessions, status, worker):
    city, resident, startup = await actors.city(), await actors.resident(), await actors.startup()
    challenge = await open_challenge(api, city)
    pilot_id = await running_pilot(api, sessions, challenge["id"], startup, status=status)
    refused = await api.post(
        f"/api/pilots/{pilot_id}/inputs", json={"body": "Hello?"}, headers=resident.headers
    )
    assert refused.status_code == 409
    assert refused.json()["extra"]["phase"] == status.value


async def test_bad_input_is_refused_naming_the_field(api, actors, sessions, worker):
    city, resident, startup = await actors.city(), await actors.resident(), await actors.startup()
    challenge = await open_challenge(api, city)
    pilot_id = await running_pilot(api, sessions, challenge["id"], startup)
    await set_phase(sessions, challenge["id"], ChallengePhase.OPEN)
    cases = [
        (f"/api/challenges/{challenge['id']}/inputs", {}, "body"),
        (f"/api/challenges/{challenge['id']}/inputs", {"body": "   "}, "body"),
        (f"/api/challenges/{challenge['id']}/inputs", {"body": "x" * 4001}, "body"),
        (f"/api/challenges/{challenge['id']}/inputs", {"body": "nul\x00byte"}, "body"),
        (f"/api/challenges/{challenge['id']}/inputs", {"body": "ok", "rating": 3}, "rating"),
        (f"/api/pilots/{pilot_id}/inputs", {"body": "ok", "rating": 6}, "rating"),
        (f"/api/pilots/{pilot_id}/inputs", {"body": "ok", "rating": 0}, "rating"),
        (f"/api/pilots/{pilot_id}/inputs", {"body": "ok", "rating": "five"}, "rating"),
        (f"/api/pilots/{pilot_id}/inputs", {"body": 12}, "body"),
    ]
    for url, body, field in cases:
        response = await api.post(url, json=body, headers=resident.headers)
        assert response.status_code == 422, (body, response.text)
        assert field in [e["key"] for e in response.json()["extra"]], (body, response.json())
    # The longest allowed body is fine.
    longest = await api.post(
        f"/api/challenges/{challenge['id']}/inputs", json={"body": "y" * 4000},
        headers=resident.headers,
    )  # fmt: skip
    assert longest.status_code == 201


async def test_only_residents_give_input_and_follow(api, actors, sessions, worker):
    city = await actors.city()
    challenge = await open_challenge(api, city)
    startup = await actors.startup()
    pilot_id = await running_pilot(api, sessions, challenge["id"], startup)
    await set_phase(sessions, challenge["id"], ChallengePhase.OPEN)
    callers = await actors.everyone()
    writes = [
        ("POST", f"/api/challenges/{challenge['id']}/inputs", {"body": "Hi"}),
        ("POST", f"/api/pilots/{pilot_id}/inputs", {"body": "Hi"}),
        ("POST", f"/api/challenges/{challenge['id']}/follow", None),
        ("DELETE", f"/api/challenges/{challenge['id']}/follow", None),
        ("GET", "/api/me/follows", None),
        ("GET", "/api/me/inputs", None),
    ]
    for method, url, body in writes:
        for role in ("city", "startup", "evaluator", "anonymous"):
            account = callers[role]
            kwargs = {"json": body} if body is not None else {}
            response = await api.request(
                method, url, headers=account.headers if account else {}, **kwargs
            )
            assert response.status_code == (401 if account is None else 403), (method, url, role)


async def test_unknown_challenges_and_pilots_are_404(api, actors):
    resident = await actors.resident()
    for url in ("/api/challenges/4242/inputs", "/api/pilots/4242/inputs"):
        response = await api.post(url, json={"body": "Hello"}, headers=resident.headers)
        assert response.status_code == 404
    assert (await api.get("/api/challenges/4242/inputs")).status_code == 404
    assert (await api.get("/api/inputs/4242")).status_code == 404


async def test_drafts_take_no_input_and_cannot_be_followed(api, actors):
    from tests.builders import create_challenge

    city, resident = await actors.city(), await actors.resident()
    draft = await create_challenge(api, city)
    for url in (f"/api/challenges/{draft['id']}/inputs", f"/api/challenges/{draft['id']}/follow"):
        response = await api.post(url, json={"body": "Early"}, headers=resident.headers)
        assert response.status_code == 404
