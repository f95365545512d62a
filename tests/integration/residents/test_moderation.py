"""The city answers input publicly, considers it, hides it with a reason its author
sees, and restores it; residents endorse and report others' input, once."""

from __future__ import annotations

from tests.builders import open_challenge
from tests.feedback import give_input


async def notifications(api, account) -> list[dict]:
    return (await api.get("/api/me/notifications", headers=account.headers)).json()["items"]


async def test_the_city_answers_publicly_and_the_author_is_told(api, actors, worker):
    city, author, follower = await actors.city(), await actors.resident(), await actors.resident()
    challenge = await open_challenge(api, city)
    await api.post(f"/api/challenges/{challenge['id']}/follow", headers=follower.headers)
    given = await give_input(api, author, challenge["id"], "Plant lime trees.")

    considered = await api.post(f"/api/inputs/{given['id']}/consider", headers=city.headers)
    assert considered.status_code == 200 and considered.json()["status"] == "under_consideration"
    answer = "We will plant twelve lime trees on the west side in March."
    answered = await api.post(
        f"/api/inputs/{given['id']}/response", json={"body": answer}, headers=city.headers
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered"

    public = (await api.get(f"/api/inputs/{given['id']}")).json()
    assert public["response"]["body"] == answer
    first_answered_at = public["response"]["answered_at"]

    told = await notifications(api, author)
    assert [n["kind"] for n in told] == ["input_answered", "input_under_consideration"]
    assert answer in told[0]["body"] and "Plant lime trees." in told[0]["body"]
    # Someone else's answered input is not news to a follower.
    assert [n["kind"] for n in await notifications(api, follower)] == []

    corrected = await api.post(
        f"/api/inputs/{given['id']}/response",
        json={"body": "Fourteen lime trees, in March."},
        headers=city.headers,
    )
    assert corrected.json()["response"]["body"] == "Fourteen lime trees, in March."
    assert corrected.json()["response"]["answered_at"] == first_answered_at
    assert len(await notifications(api, author)) == 2  # told once

    again = await api.post(f"/api/inputs/{given['id']}/consider", headers=city.headers)
    assert again.status_code == 409


async def test_a_hidden_input_leaves_the_public_page_but_its_author_sees_why(api, actors, worker):
    city, author, other = await actors.city(), await actors.resident(), await actors.resident()
    challenge = await open_challenge(api, city)
    kept = await give_input(api, author, challenge["id"], "Fine idea.")
    given = await give_input(api, author, challenge["id"], "Something rude.")
    reason = "It insults a named neighbour; please keep it about the street."

    hidden = await api.post(
        f"/api/inputs/{given['id']}/hide", json={"reason": reason}, headers=city.headers
    )
    assert hidden.status_code == 200 and hidden.json()["status"] == "hidden"

    url = f"/api/challenges/{challenge['id']}/inputs"
    for viewer in (None, other):
        headers = viewer.headers if viewer else {}
        ids = [i["id"] for i in (await api.get(url, headers=headers)).json()["items"]]
        assert ids == [kept["id"]]
        assert (await api.get(f"/api/inputs/{given['id']}", headers=headers)).status_code == 404
        assert (await api.get(f"/api/inputs/{kept['id']}", headers=headers)).json()[
            "hidden_reason"
        ] is None

    own = {i["id"]: i for i in (await api.get(url, headers=author.headers)).json()["items"]}
    assert own[given["id"]]["status"] == "hidden"
    assert own[given["id"]]["hidden_reason"] == reason
    mine = (await api.get("/api/me/inputs", headers=author.headers)).json()["items"]
    assert {i["id"]: i["hidden_reason"] for i in mine} == {given["id"]: reason, kept["id"]: None}
    [told] = [n for n in await notifications(api, author) if n["kind"] == "input_hidden"]
    assert reason in told["body"]

    engagement = (await api.get(f"/api/challenges/{challenge['id']}/engagement")).json()
    assert engagement["inputs"] == 1 and engagement["hidden"] == 1

    # Hidden input cannot be answered, endorsed or reported until restored.
    assert (
        await api.post(
            f"/api/inputs/{given['id']}/response", json={"body": "No"}, headers=city.headers
        )
    ).status_code == 409
    assert (
        await api.post(f"/api/inputs/{given['id']}/endorse", headers=other.headers)
    ).status_code == 404
    again = await api.post(
        f"/api/inputs/{given['id']}/hide", json={"reason": reason}, headers=city.headers
    )
    assert again.status_code == 409

    restored = await api.post(f"/api/inputs/{given['id']}/restore", headers=city.headers)
    assert restored.json()["status"] == "received" and restored.json()["hidden_reason"] is None
    assert len((await api.get(url)).json()["items"]) == 2


async def test_endorse_once_and_never_ones_own(api, actors, worker):
    city, author = await actors.city(), await actors.resident()
    fans = [await actors.resident() for _ in range(2)]
    challenge = await open_challenge(api, city)
    given = await give_input(api, author, challenge["id"])
    url = f"/api/inputs/{given['id']}/endorse"

    first = await api.post(url, headers=fans[0].headers)
    assert first.status_code == 200 and first.json()["endorsement_count"] == 1
    twice = await api.post(url, headers=fans[0].headers)
    assert twice.status_code == 200 and twice.json()["endorsement_count"] == 1
    second = await api.post(url, headers=fans[1].headers)
    assert second.json()["endorsement_count"] == 2
    assert (await api.post(url, headers=author.headers)).status_code == 409

    seen = (await api.get(f"/api/inputs/{given['id']}", headers=fans[0].headers)).json()
    assert seen["endorsed_by_me"] is True and seen["endorsement_count"] == 2
    assert (await api.get(f"/api/inputs/{given['id']}")).json()["endorsed_by_me"] is False


async def test_residents_report_input_and_the_city_is_told_once(api, actors, worker):
    city, publisher = await actors.city(), await actors.city()
    author, reporters = await actors.resident(), [await actors.resident() for _ in range(2)]
    from tests.builders import create_challenge, publish

    challenge = await create_challenge(api, city)
    await publish(api, publisher, challenge["id"])
    given = await give_input(api, author, challenge["id"], "Spam spam spam.")
    url = f"/api/inputs/{given['id']}/report"

    for reporter in reporters + reporters:  # each reports twice: counted once
        response = await api.post(url, json={"reason": "Advertising"}, headers=reporter.headers)
        assert response.status_code == 200 and response.json()["reported"] is True
    own = await api.post(url, json={"reason": "Oops"}, headers=author.headers)
    assert own.status_code == 409
    bad = await api.post(url, json={"reason": ""}, headers=reporters[0].headers)
    assert bad.status_code == 422 and bad.json()["extra"][0]["key"] == "reason"

    for owner in (city, publisher):
        reported = [n for n in await notifications(api, owner) if n["kind"] == "input_reported"]
        assert len(reported) == 1 and "Advertising" in reported[0]["body"]
    queue = await api.get(
        f"/api/challenges/{challenge['id']}/inputs?reported=true", headers=city.headers
    )
    assert [(i["id"], i["report_count"]) for i in queue.json()["items"]] == [(given["id"], 2)]


async def test_only_the_city_moderates_and_bodies_are_checked(api, actors, worker):
    city, author = await actors.city(), await actors.resident()
    challenge = await open_challenge(api, city)
    given = await give_input(api, author, challenge["id"])
    callers = await actors.everyone()
    city_only = [
        ("response", {"body": "Thanks"}),
        ("consider", None),
        ("hide", {"reason": "Off topic"}),
        ("restore", None),
    ]
    for action, body in city_only:
        for role in ("resident", "startup", "evaluator", "anonymous"):
            account = callers[role]
            response = await api.post(
                f"/api/inputs/{given['id']}/{action}",
                json=body or {},
                headers=account.headers if account else {},
            )
            assert response.status_code == (401 if account is None else 403), (action, role)
    for action in ("endorse", "report"):
        for role in ("city", "startup", "evaluator", "anonymous"):
            account = callers[role]
            response = await api.post(
                f"/api/inputs/{given['id']}/{action}",
                json={"reason": "Spam"},
                headers=account.headers if account else {},
            )
            assert response.status_code == (401 if account is None else 403), (action, role)

    bad_bodies = [
        ("response", {}, "body"),
        ("response", {"body": ""}, "body"),
        ("response", {"body": "x" * 8001}, "body"),
        ("response", {"body": "a\x07b"}, "body"),
        ("hide", {}, "reason"),
        ("hide", {"reason": "no"}, "reason"),
        ("hide", {"reason": "x" * 1001}, "reason"),
    ]
    for action, body, field in bad_bodies:
        response = await api.post(
            f"/api/inputs/{given['id']}/{action}", json=body, headers=city.headers
        )
        assert response.status_code == 422, (action, body)
        assert response.json()["extra"][0]["key"] == field
    for action in ("response", "consider", "hide", "restore"):
        missing = await api.post(
            f"/api/inputs/4242/{action}", json={"body": "Hi", "reason": "Why not"},
            headers=city.headers,
        )  # fmt: skip
        assert missing.status_code == 404
