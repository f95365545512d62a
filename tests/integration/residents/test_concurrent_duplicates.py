"""The same write sent many times at the same moment, over real HTTP: every copy gets
the first one's answer (never a 500), and it is stored once: one endorsement, one
report, one follow, counted once against the person's limit."""

from __future__ import annotations

import asyncio

from sqlmodel import col, func, select

from service.ratelimit.models import RateLimitWindow
from service.residents.models import Endorsement, Follow, InputReport
from tests.at_once import at_once, serve, statuses
from tests.builders import notifications, open_challenge
from tests.feedback import give_input


async def _stored(sessions, model, **where) -> int:
    async with sessions() as session:
        statement = select(func.count()).select_from(model)
        for name, value in where.items():
            statement = statement.where(col(getattr(model, name)) == value)
        return (await session.exec(statement)).one()


async def _hits(sessions, user_id: int, action: str) -> int:
    async with sessions() as session:
        window = (
            await session.exec(
                select(RateLimitWindow).where(
                    RateLimitWindow.subject == f"user:{user_id}", RateLimitWindow.action == action
                )
            )
        ).first()
        return window.hits if window else 0


async def test_one_resident_endorsing_twenty_times_at_once_endorses_once(
    api, actors, settings, sessions, worker
):
    city, author, fan = await actors.city(), await actors.resident(), await actors.resident()
    challenge = await open_challenge(api, city)
    given = await give_input(api, author, challenge["id"])

    with serve(settings) as server:
        responses = await at_once(
            server, 20, "POST", f"/api/inputs/{given['id']}/endorse", headers=fan.headers
        )

    assert statuses(responses) == [200] * 20, [r.text for r in responses if r.status_code != 200]
    assert [r.json() for r in responses] == [
        {"input_id": given["id"], "endorsed": True, "endorsement_count": 1}
    ] * 20
    read = (await api.get(f"/api/inputs/{given['id']}", headers=fan.headers)).json()
    assert read["endorsement_count"] == 1 and read["endorsed_by_me"] is True
    assert await _stored(sessions, Endorsement, input_id=given["id"]) == 1
    # Counted once against the limit (3 an hour here): the copies cost nothing.
    assert await _hits(sessions, fan.id, "endorsement") == 1


async def test_many_residents_endorsing_at_once_are_each_counted(
    api, actors, settings, sessions, worker
):
    city, author = await actors.city(), await actors.resident()
    fans = [await actors.resident() for _ in range(6)]
    challenge = await open_challenge(api, city)
    given = await give_input(api, author, challenge["id"])
    url = f"/api/inputs/{given['id']}/endorse"

    with serve(settings) as server:
        answers = await asyncio.gather(
            *(at_once(server, 3, "POST", url, headers=fan.headers) for fan in fans)
        )

    responses = [r for answer in answers for r in answer]
    assert statuses(responses) == [200] * 18, [r.text for r in responses if r.status_code != 200]
    read = (await api.get(f"/api/inputs/{given['id']}")).json()
    assert read["endorsement_count"] == 6
    assert await _stored(sessions, Endorsement, input_id=given["id"]) == 6


async def test_one_resident_reporting_twenty_times_at_once_reports_once(
    api, actors, settings, sessions, worker
):
    city, author, reporter = await actors.city(), await actors.resident(), await actors.resident()
    challenge = await open_challenge(api, city)
    given = await give_input(api, author, challenge["id"])

    with serve(settings) as server:
        responses = await at_once(
            server,
            20,
            "POST",
            f"/api/inputs/{given['id']}/report",
            json={"reason": "Spam"},
            headers=reporter.headers,
        )

    assert statuses(responses) == [200] * 20, [r.text for r in responses if r.status_code != 200]
    assert [r.json() for r in responses] == [{"input_id": given["id"], "reported": True}] * 20
    seen_by_city = (await api.get(f"/api/inputs/{given['id']}", headers=city.headers)).json()
    assert seen_by_city["report_count"] == 1
    assert await _stored(sessions, InputReport, input_id=given["id"]) == 1
    told = [n for n in await notifications(api, city) if n["kind"] == "input_reported"]
    assert len(told) == 1
    assert await _hits(sessions, reporter.id, "report") == 1


async def test_following_twenty_times_at_once_follows_once(api, actors, settings, sessions, worker):
    city, resident = await actors.city(), await actors.resident()
    challenge = await open_challenge(api, city)

    with serve(settings) as server:
        responses = await at_once(
            server,
            20,
            "POST",
            f"/api/challenges/{challenge['id']}/follow",
            headers=resident.headers,
        )

    assert statuses(responses) == [200] * 20, [r.text for r in responses if r.status_code != 200]
    assert len({r.text for r in responses}) == 1  # the same answer, followed_at included
    mine = (await api.get("/api/me/follows", headers=resident.headers)).json()["items"]
    assert [f["challenge_id"] for f in mine] == [challenge["id"]]
    assert await _stored(sessions, Follow, challenge_id=challenge["id"]) == 1
