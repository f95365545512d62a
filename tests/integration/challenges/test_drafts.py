"""Drafting a challenge: the rules are validated, the draft is the city's alone, and
it can be edited until it is published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.builders import challenge_body, create_challenge, iso, open_challenge


async def test_a_draft_gets_ids_for_its_criteria_and_kpis(api, actors):
    city = await actors.city()
    challenge = await create_challenge(api, city)
    assert challenge["phase"] == "draft"
    assert challenge["timeline"] == []
    assert [c["weight"] for c in challenge["criteria"]] == [50, 30, 20]
    assert all(isinstance(c["id"], int) for c in challenge["criteria"] + challenge["kpis"])
    assert challenge["kpis"][0] == {
        "id": challenge["kpis"][0]["id"],
        "name": "Peak temperature drop",
        "unit": "°C",
        "target": 2.0,
        "direction": "at_least",
    }
    assert challenge["pilot_budget_cap_eur"] == 50000


async def test_drafts_are_visible_to_the_city_only(api, actors, worker):
    city = await actors.city()
    draft = await create_challenge(api, city, title="Secret plans")
    published = await open_challenge(api, city, title="Public call")
    others = [await actors.startup(), await actors.resident(), await actors.evaluator(), None]
    for viewer in others:
        headers = viewer.headers if viewer else {}
        assert (await api.get(f"/api/challenges/{draft['id']}", headers=headers)).status_code == 404
        listed = (await api.get("/api/challenges", headers=headers)).json()["items"]
        assert [c["id"] for c in listed] == [published["id"]]
    city_list = (await api.get("/api/challenges", headers=city.headers)).json()["items"]
    assert {c["id"] for c in city_list} == {draft["id"], published["id"]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"criteria": [{"name": "Impact", "weight": 60}, {"name": "Cost", "weight": 30}]},
         "criteria"),
        ({"criteria": [{"name": "Impact", "weight": 50}, {"name": "impact", "weight": 50}]},
         "criteria"),
        ({"criteria": []}, "criteria"),
        ({"criteria": [{"name": "Impact", "weight": 0}, {"name": "Cost", "weight": 100}]},
         "criteria.0.weight"),
        ({"max_pilots": 0}, "max_pilots"),
        ({"pilot_budget_cap_eur": -5}, "pilot_budget_cap_eur"),
        ({"title": ""}, "title"),
        ({"kpis": [{"name": "CO2", "unit": "t"}]}, "kpis.0.target"),
        ({"proposals_close_at": "next tuesday"}, "proposals_close_at"),
        ({"proposals_close_at": "2030-01-01T12:00:00"}, "proposals_close_at"),
    ],
)  # fmt: skip
async def test_bad_rules_are_refused_naming_the_field(api, actors, overrides, field):
    city = await actors.city()
    response = await api.post(
        "/api/challenges", json=challenge_body(**overrides), headers=city.headers
    )
    assert response.status_code == 422, response.text
    assert field in [e["key"] for e in response.json()["extra"]], response.json()


async def test_deadlines_must_be_in_the_future_and_in_order(api, actors):
    city = await actors.city()
    now = datetime.now(UTC)
    past = await api.post(
        "/api/challenges",
        json=challenge_body(proposals_close_at=iso(now - timedelta(hours=1))),
        headers=city.headers,
    )
    assert past.status_code == 422
    assert past.json()["extra"][0]["key"] == "proposals_close_at"

    backwards = await api.post(
        "/api/challenges",
        json=challenge_body(review_deadline=iso(now + timedelta(hours=1))),
        headers=city.headers,
    )
    assert backwards.status_code == 422
    assert "review_deadline must be after proposals_close_at" in backwards.text


async def test_the_city_edits_a_draft_and_the_merged_rules_are_validated(api, actors):
    city = await actors.city()
    challenge = await create_challenge(api, city)
    url = f"/api/challenges/{challenge['id']}"

    edited = await api.patch(
        url,
        json={"title": "Cooler streets, all of Zuid",
              "criteria": [{"name": "Impact", "weight": 70}, {"name": "Cost", "weight": 30}]},
        headers=city.headers,
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"] == "Cooler streets, all of Zuid"
    assert [(c["name"], c["weight"]) for c in edited.json()["criteria"]] == [
        ("Impact", 70),
        ("Cost", 30),
    ]
    assert edited.json()["kpis"] == challenge["kpis"]

    bad = await api.patch(url, json={"max_pilots": 0}, headers=city.headers)
    assert bad.status_code == 422
    assert bad.json()["extra"][0]["key"] == "max_pilots"
    bad_order = await api.patch(
        url, json={"review_deadline": challenge["proposals_close_at"]}, headers=city.headers
    )
    assert bad_order.status_code == 422
    assert (await api.get(url, headers=city.headers)).json()["max_pilots"] == 2


async def test_rules_are_frozen_once_published(api, actors, worker):
    city = await actors.city()
    challenge = await open_challenge(api, city)
    response = await api.patch(
        f"/api/challenges/{challenge['id']}",
        json={"criteria": [{"name": "Only cost", "weight": 100}]},
        headers=city.headers,
    )
    assert response.status_code == 409
    assert response.json()["extra"]["phase"] == "open"
    assert "frozen" in response.json()["detail"]


async def test_a_cancelled_draft_records_who_and_why_and_cannot_be_published(api, actors):
    city = await actors.city()
    challenge = await create_challenge(api, city)
    cancelled = await api.post(
        f"/api/challenges/{challenge['id']}/cancel",
        json={"reason": "Merged into another challenge"},
        headers=city.headers,
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["phase"] == "cancelled"
    [entry] = cancelled.json()["timeline"]
    assert (entry["from_phase"], entry["phase"], entry["actor"], entry["reason"]) == (
        "draft", "cancelled", f"user:{city.id}", "Merged into another challenge",
    )  # fmt: skip
    publish = await api.post(f"/api/challenges/{challenge['id']}/publish", headers=city.headers)
    assert publish.status_code == 409


async def test_the_list_filters_by_phase_and_pages_with_a_cursor(api, actors, worker):
    city = await actors.city()
    drafts = [await create_challenge(api, city, title=f"Draft {n}") for n in range(3)]
    opened = await open_challenge(api, city, title="Open one")

    only_open = (await api.get("/api/challenges?phase=open")).json()
    assert [c["id"] for c in only_open["items"]] == [opened["id"]]

    seen, cursor = [], None
    while True:
        query = "/api/challenges?phase=draft&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await api.get(query, headers=city.headers)).json()
        assert len(page["items"]) <= 2
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [d["id"] for d in reversed(drafts)]

    bad = await api.get("/api/challenges?phase=someday")
    assert bad.status_code in (400, 422)
    assert "phase" in bad.text
    assert (await api.get("/api/challenges?cursor=%%%")).status_code == 422
    assert (await api.get("/api/challenges?limit=1000")).status_code in (400, 422)


async def test_a_draft_cancelled_before_it_was_published_stays_private(api, actors, worker):
    """Cancelling a draft must not publish it: its text stays the city's alone, in the
    list, on its page, in its report and its questions and input."""
    city = await actors.city()
    draft = await create_challenge(api, city, title="Never to be seen")
    cancelled = await api.post(
        f"/api/challenges/{draft['id']}/cancel",
        json={"reason": "Merged into another challenge"},
        headers=city.headers,
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["phase"] == "cancelled"
    public = await open_challenge(api, city, title="Public call")

    for viewer in [await actors.startup(), await actors.resident(), None]:
        headers = viewer.headers if viewer else {}
        for path in ("", "/report", "/report?format=csv", "/questions", "/inputs"):
            response = await api.get(f"/api/challenges/{draft['id']}{path}", headers=headers)
            assert response.status_code == 404, (path, response.text)
            assert "Never to be seen" not in response.text
        for query in ("", "?phase=cancelled"):
            listed = (await api.get(f"/api/challenges{query}", headers=headers)).json()["items"]
            assert draft["id"] not in [c["id"] for c in listed]
        assert (await api.get("/api/challenges", headers=headers)).json()["items"][0]["id"] == (
            public["id"]
        )

    city_view = await api.get(f"/api/challenges/{draft['id']}", headers=city.headers)
    assert city_view.status_code == 200
    assert city_view.json()["title"] == "Never to be seen"
    city_list = (await api.get("/api/challenges?phase=cancelled", headers=city.headers)).json()
    assert [c["id"] for c in city_list["items"]] == [draft["id"]]


async def test_a_published_challenge_that_is_cancelled_stays_public(api, actors, worker):
    """Once a call was public, its cancellation is public too: residents see why."""
    city = await actors.city()
    challenge = await open_challenge(api, city, title="Cool roofs")
    cancelled = await api.post(
        f"/api/challenges/{challenge['id']}/cancel",
        json={"reason": "The budget was withdrawn"},
        headers=city.headers,
    )
    assert cancelled.status_code == 200
    page = await api.get(f"/api/challenges/{challenge['id']}")
    assert page.status_code == 200
    assert page.json()["phase"] == "cancelled"
    assert page.json()["cancel_reason"] == "The budget was withdrawn"
    report = await api.get(f"/api/challenges/{challenge['id']}/report")
    assert report.status_code == 200
