"""Public questions while the call is open, and the city's public answers."""

from __future__ import annotations

from tests.builders import open_challenge


async def test_anyone_signed_in_asks_the_city_answers_and_everyone_reads(api, actors, worker):
    city, resident, startup = await actors.city(), await actors.resident(), await actors.startup()
    challenge = await open_challenge(api, city)
    url = f"/api/challenges/{challenge['id']}/questions"

    asked = await api.post(
        url, json={"body": "Can the poles use tap water?"}, headers=resident.headers
    )
    assert asked.status_code == 201, asked.text
    await api.post(url, json={"body": "Is night work allowed?"}, headers=startup.headers)

    answer = await api.post(
        f"/api/questions/{asked.json()['id']}/answer",
        json={"body": "Yes, from the hydrant at the Marktplein."},
        headers=city.headers,
    )
    assert answer.status_code == 200
    assert answer.json()["answered_at"] is not None

    public = (await api.get(url)).json()["items"]
    assert [(q["body"], q["answer"]) for q in public] == [
        ("Can the poles use tap water?", "Yes, from the hydrant at the Marktplein."),
        ("Is night work allowed?", None),
    ]
    assert all("asked_by" not in key for q in public for key in q)


async def test_only_the_city_answers_and_only_signed_in_people_ask(api, actors, worker):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_challenge(api, city)
    url = f"/api/challenges/{challenge['id']}/questions"
    assert (await api.post(url, json={"body": "Anonymous question?"})).status_code == 401
    question = (await api.post(url, json={"body": "Who answers?"}, headers=startup.headers)).json()
    refused = await api.post(
        f"/api/questions/{question['id']}/answer", json={"body": "Me!"}, headers=startup.headers
    )
    assert refused.status_code == 403
    assert (await api.post(url, json={"body": ""}, headers=startup.headers)).status_code == 422
    nul = await api.post(url, json={"body": "Why\u0000?"}, headers=startup.headers)
    assert nul.status_code == 422
    assert nul.json()["extra"][0]["key"] == "body"


async def test_questions_close_with_the_call(api, actors, worker):
    city, resident = await actors.city(), await actors.resident()
    challenge = await open_challenge(api, city)
    await api.post(
        f"/api/challenges/{challenge['id']}/cancel",
        json={"reason": "Stopped"},
        headers=city.headers,
    )
    response = await api.post(
        f"/api/challenges/{challenge['id']}/questions",
        json={"body": "Still there?"},
        headers=resident.headers,
    )
    assert response.status_code == 409
    assert response.json()["extra"]["phase"] == "cancelled"
