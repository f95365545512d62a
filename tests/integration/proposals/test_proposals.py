"""Proposals: a startup manages its own while the call is open, and no one else's."""

from __future__ import annotations

from tests.builders import create_challenge, open_challenge, submit


async def test_a_startup_submits_edits_and_withdraws_its_proposal(api, actors, worker):
    city, startup = await actors.city(), await actors.startup("Cool Mist BV")
    challenge = await open_challenge(api, city)

    created = await submit(api, startup, challenge["id"], public_title_consent=True)
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert proposal["status"] == "submitted"
    assert proposal["startup_id"] == startup.id
    assert proposal["startup_name"] == "Cool Mist BV"
    assert proposal["budget_eur"] == 40000
    assert proposal["public_title_consent"] is True

    url = f"/api/proposals/{proposal['id']}"
    edited = await api.patch(url, json={"budget_eur": 35000.5}, headers=startup.headers)
    assert edited.status_code == 200
    assert edited.json()["budget_eur"] == 35000.5
    assert edited.json()["title"] == proposal["title"]

    withdrawn = await api.post(f"{url}/withdraw", headers=startup.headers)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["withdrawn_at"] is not None

    after = await api.patch(url, json={"title": "Second thoughts"}, headers=startup.headers)
    assert after.status_code == 409
    assert (await api.get(url, headers=startup.headers)).json()["title"] == proposal["title"]


async def test_a_startup_never_reads_or_changes_another_startups_proposal(api, actors, worker):
    city = await actors.city()
    owner, rival = await actors.startup(), await actors.startup()
    challenge = await open_challenge(api, city)
    proposal = (await submit(api, owner, challenge["id"])).json()
    url = f"/api/proposals/{proposal['id']}"

    assert (await api.get(url, headers=rival.headers)).status_code == 403
    assert (
        await api.patch(url, json={"title": "Mine now"}, headers=rival.headers)
    ).status_code == 403
    assert (await api.post(f"{url}/withdraw", headers=rival.headers)).status_code == 403
    listed = await api.get(f"/api/challenges/{challenge['id']}/proposals", headers=rival.headers)
    assert listed.json()["items"] == []
    mine = await api.get("/api/me/proposals", headers=rival.headers)
    assert mine.json()["items"] == []

    resident = await actors.resident()
    assert (await api.get(url, headers=resident.headers)).status_code == 403
    assert (await api.get(url)).status_code == 401

    assert (await api.get(url, headers=city.headers)).status_code == 200
    everything = await api.get(f"/api/challenges/{challenge['id']}/proposals", headers=city.headers)
    assert [p["id"] for p in everything.json()["items"]] == [proposal["id"]]
    assert (await api.get(url, headers=owner.headers)).json()["title"] == proposal["title"]


async def test_budget_over_the_cap_is_refused_naming_the_field(api, actors, worker):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_challenge(api, city, pilot_budget_cap_eur=30000)
    response = await submit(api, startup, challenge["id"], budget_eur=30000.01)
    assert response.status_code == 422
    assert response.json()["extra"][0]["key"] == "budget_eur"
    assert "cap" in response.json()["extra"][0]["message"]
    ok = await submit(api, startup, challenge["id"], budget_eur=30000)
    assert ok.status_code == 201
    over = await api.patch(
        f"/api/proposals/{ok.json()['id']}", json={"budget_eur": 99999}, headers=startup.headers
    )
    assert over.status_code == 422


async def test_proposals_need_an_open_call(api, actors, worker):
    city, startup = await actors.city(), await actors.startup()
    draft = await create_challenge(api, city)
    assert (await submit(api, startup, draft["id"])).status_code == 404
    assert (await submit(api, startup, 999999)).status_code == 404

    cancelled = await open_challenge(api, city)
    await api.post(
        f"/api/challenges/{cancelled['id']}/cancel",
        json={"reason": "No budget"},
        headers=city.headers,
    )
    refused = await submit(api, startup, cancelled["id"])
    assert refused.status_code == 409
    assert refused.json()["extra"]["phase"] == "cancelled"


async def test_bad_proposals_name_the_field(api, actors, worker):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_challenge(api, city)
    for body, field in [
        ({"title": "x", "summary": "s", "budget_eur": 1}, "title"),
        ({"title": "A title", "budget_eur": 1}, "summary"),
        ({"title": "A title", "summary": "s", "budget_eur": -1}, "budget_eur"),
        ({"title": "A title", "summary": "s", "budget_eur": "lots"}, "budget_eur"),
    ]:
        response = await api.post(
            f"/api/challenges/{challenge['id']}/proposals", json=body, headers=startup.headers
        )
        assert response.status_code == 422, body
        assert field in [e["key"] for e in response.json()["extra"]]
