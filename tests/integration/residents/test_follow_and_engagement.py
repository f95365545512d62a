"""Following a challenge, and its public engagement figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from schemas.common import ChallengePhase
from service.residents.engagement import you_said_we_did
from service.residents.models import ResidentInput
from tests.builders import open_challenge
from tests.feedback import give_input, running_pilot, set_phase


async def test_follow_and_unfollow_are_idempotent(api, actors, worker):
    city, resident = await actors.city(), await actors.resident()
    first, second = await open_challenge(api, city), await open_challenge(api, city)
    for _ in range(2):
        followed = await api.post(f"/api/challenges/{first['id']}/follow", headers=resident.headers)
        assert followed.status_code == 200 and followed.json()["following"] is True
    await api.post(f"/api/challenges/{second['id']}/follow", headers=resident.headers)
    mine = (await api.get("/api/me/follows", headers=resident.headers)).json()["items"]
    assert [f["challenge_id"] for f in mine] == [second["id"], first["id"]]
    assert (await api.get(f"/api/challenges/{first['id']}/engagement")).json()["followers"] == 1

    for _ in range(2):
        left = await api.delete(f"/api/challenges/{first['id']}/follow", headers=resident.headers)
        assert left.status_code == 200 and left.json()["following"] is False
    mine = (await api.get("/api/me/follows", headers=resident.headers)).json()["items"]
    assert [f["challenge_id"] for f in mine] == [second["id"]]
    missing = await api.post("/api/challenges/4242/follow", headers=resident.headers)
    assert missing.status_code == 404


async def test_engagement_counts_answers_time_to_answer_and_ratings(api, actors, sessions, worker):
    city, startup, other_startup = (
        await actors.city(),
        await actors.startup(),
        await actors.startup(),
    )
    residents = [await actors.resident() for _ in range(3)]
    challenge = await open_challenge(api, city)
    problem = [
        await give_input(api, r, challenge["id"], f"Problem {n}") for n, r in enumerate(residents)
    ]
    quiet_pilot = await running_pilot(
        api, sessions, challenge["id"], other_startup, title="Cool roofs"
    )
    pilot_id = await running_pilot(api, sessions, challenge["id"], startup)
    ratings = [5, 4, None]
    for resident, rating in zip(residents, ratings, strict=True):
        body = {"body": "On the pilot", **({"rating": rating} if rating else {})}
        response = await api.post(
            f"/api/pilots/{pilot_id}/inputs", json=body, headers=resident.headers
        )
        assert response.status_code == 201
    extra = await api.post(
        f"/api/pilots/{pilot_id}/inputs",
        json={"body": "Bad", "rating": 1},
        headers=residents[0].headers,
    )
    await api.post(
        f"/api/inputs/{extra.json()['id']}/hide", json={"reason": "Off topic"}, headers=city.headers
    )
    for given in problem[:2]:
        await api.post(f"/api/inputs/{given['id']}/endorse", headers=residents[2].headers)

    # Answers 2 h and 30 h after the input came in, the second past a (moved) target.
    for given in problem[:2]:
        await api.post(
            f"/api/inputs/{given['id']}/response", json={"body": "Thanks"}, headers=city.headers
        )
    base = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    async with sessions() as session:
        for given, hours, due in ((problem[0], 2, 48), (problem[1], 30, 24)):
            row = await session.get(ResidentInput, given["id"])
            row.created_at = base
            row.answered_at = base + timedelta(hours=hours)
            row.respond_by = base + timedelta(hours=due)
            session.add(row)
        overdue = await session.get(ResidentInput, problem[2]["id"])
        overdue.respond_by = base
        session.add(overdue)
        await session.commit()

    figures = (await api.get(f"/api/challenges/{challenge['id']}/engagement")).json()
    assert figures["followers"] == 3  # giving input followed the challenge
    assert figures["inputs"] == 6 and figures["hidden"] == 1
    assert figures["inputs_by_stage"] == {"problem": 3, "pilot": 3, "outcome": 0}
    assert figures["inputs_by_status"] == {"received": 4, "under_consideration": 0, "answered": 2}
    assert figures["answered_share"] == round(2 / 6, 4)
    assert figures["answered_on_time_share"] == 0.5
    assert figures["median_hours_to_answer"] == 16.0
    assert figures["overdue"] == 1
    assert figures["endorsements"] == 2
    assert figures["response_target_working_days"] == 10
    summaries = {p["pilot_id"]: p for p in figures["pilots"]}
    assert summaries[pilot_id] == {
        "pilot_id": pilot_id,
        "status": "running",
        "inputs": 3,
        "ratings": 2,
        "average_rating": 4.5,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
    }
    assert (
        summaries[quiet_pilot]["inputs"] == 0 and summaries[quiet_pilot]["average_rating"] is None
    )

    overdue_list = await api.get(f"/api/challenges/{challenge['id']}/inputs?overdue=true")
    assert [i["id"] for i in overdue_list.json()["items"]] == [problem[2]["id"]]

    # What the outcome report will list: "you said, we did".
    await set_phase(sessions, challenge["id"], ChallengePhase.CLOSED)
    async with sessions() as session:
        said = await you_said_we_did(session, challenge["id"])
        hidden = (
            await session.exec(select(ResidentInput).where(ResidentInput.status == "hidden"))
        ).all()
    assert [(s.body, s.response.body) for s in said] == [
        ("Problem 0", "Thanks"),
        ("Problem 1", "Thanks"),
    ]
    assert all(s.author_id is None for s in said) and len(hidden) == 1


async def test_engagement_of_a_draft_or_unknown_challenge_is_404(api, actors):
    from tests.builders import create_challenge

    city = await actors.city()
    draft = await create_challenge(api, city)
    assert (await api.get(f"/api/challenges/{draft['id']}/engagement")).status_code == 404
    assert (await api.get("/api/challenges/4242/engagement")).status_code == 404
    city_view = await api.get(f"/api/challenges/{draft['id']}/engagement", headers=city.headers)
    assert city_view.status_code == 200 and city_view.json()["inputs"] == 0
