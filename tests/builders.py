"""Request bodies and short paths through the lifecycle, for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from tests.actors import Account
from tests.stack import eventually


def iso(moment: datetime) -> str:
    return moment.isoformat()


def challenge_body(
    *,
    close_in: timedelta = timedelta(days=60),
    review_for: timedelta = timedelta(days=20),
    **overrides: Any,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "title": "Cooler streets in Zuid",
        "problem_statement": "Summer heat builds up in the paved streets of Zuid.",
        "test_bed": "Three streets around the Marktplein, with sensors on the lampposts.",
        "pilot_budget_cap_eur": 50000,
        "max_pilots": 2,
        "criteria": [
            {"name": "Impact", "description": "Degrees of cooling", "weight": 50},
            {"name": "Feasibility", "description": "Can it run here", "weight": 30},
            {"name": "Cost", "description": "Value for money", "weight": 20},
        ],
        "kpis": [
            {"name": "Peak temperature drop", "unit": "°C", "target": 2.0},
            {"name": "Resident satisfaction", "unit": "%", "target": 70},
        ],
        "proposals_close_at": iso(now + close_in),
        "review_deadline": iso(now + close_in + review_for),
    }
    body.update(overrides)
    return body


def proposal_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Misting poles",
        "summary": "Solar-powered misting poles that cool the air by evaporation.",
        "budget_eur": 40000,
    }
    body.update(overrides)
    return body


async def create_challenge(api: AsyncTestClient, city: Account, **overrides: Any) -> dict:
    response = await api.post(
        "/api/challenges", json=challenge_body(**overrides), headers=city.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def publish(api: AsyncTestClient, city: Account, challenge_id: int) -> dict:
    response = await api.post(f"/api/challenges/{challenge_id}/publish", headers=city.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def open_challenge(api: AsyncTestClient, city: Account, **overrides: Any) -> dict:
    challenge = await create_challenge(api, city, **overrides)
    published = await publish(api, city, challenge["id"])
    if published["phase"] == "draft" and published["published_at"]:
        # Published, and the workflow will record open; the answer waits for that only
        # so long (PUBLISH_WAIT), which a machine running the whole suite can outlast.
        cid = challenge["id"]  # still a draft to anyone but the city
        await eventually(lambda: phase_of(api, cid, city), lambda phase: phase == "open")
        published = (await api.get(f"/api/challenges/{cid}", headers=city.headers)).json()
    assert published["phase"] == "open", published
    return published


async def submit(api: AsyncTestClient, startup: Account, challenge_id: int, **overrides: Any):
    return await api.post(
        f"/api/challenges/{challenge_id}/proposals",
        json=proposal_body(**overrides),
        headers=startup.headers,
    )


async def phase_of(api: AsyncTestClient, challenge_id: int, viewer: Account | None = None) -> str:
    headers = viewer.headers if viewer else {}
    response = await api.get(f"/api/challenges/{challenge_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["phase"]


async def wait_for_phase(api: AsyncTestClient, challenge_id: int, phase: str) -> str:
    """The phase once the workflow has recorded ``phase`` (or what it is after a while)."""
    return await eventually(lambda: phase_of(api, challenge_id), lambda p: p == phase)


async def screen(
    api: AsyncTestClient, city: Account, proposal_id: int, eligible: bool = True, reason: str = ""
) -> dict:
    response = await api.post(
        f"/api/proposals/{proposal_id}/screening",
        json={"eligible": eligible, "reason": reason},
        headers=city.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


async def assign(
    api: AsyncTestClient,
    city: Account,
    challenge_id: int,
    evaluators: list,
    per_proposal: int | None = None,
) -> list[dict]:
    response = await api.post(
        f"/api/challenges/{challenge_id}/evaluators",
        json={"evaluator_ids": [e.id for e in evaluators], "per_proposal": per_proposal},
        headers=city.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def my_assignments(api: AsyncTestClient, evaluator: Account) -> list[dict]:
    response = await api.get("/api/me/assignments", headers=evaluator.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def score(
    api: AsyncTestClient,
    evaluator: Account,
    assignment: dict,
    values: tuple[int, ...],
    comment: str = "",
) -> dict:
    body = {
        "scores": [
            {"criterion_id": criterion["id"], "score": value, "comment": comment}
            for criterion, value in zip(assignment["criteria"], values, strict=True)
        ]
    }
    response = await api.put(
        f"/api/assignments/{assignment['id']}/scores", json=body, headers=evaluator.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def notifications(api: AsyncTestClient, account: Account) -> list[dict]:
    response = await api.get("/api/me/notifications?limit=100", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def challenge_in_review(
    api: AsyncTestClient, city: Account, startups: list[Account], temporal: Any, **overrides: Any
) -> tuple[dict, list[int]]:
    """A challenge whose call closed, with one proposal per startup: (challenge, ids)."""
    overrides.setdefault("close_in", timedelta(days=10))
    overrides.setdefault("review_for", timedelta(days=20))
    challenge = await open_challenge(api, city, **overrides)
    ids = []
    for n, startup in enumerate(startups, start=1):
        response = await submit(api, startup, challenge["id"], title=f"Proposal {n}")
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    await temporal.sleep(overrides["close_in"] + timedelta(hours=1))
    assert await wait_for_phase(api, challenge["id"], "review") == "review"
    return challenge, ids


async def challenge_in_piloting(
    api: AsyncTestClient,
    city: Account,
    startups: list[Account],
    evaluators: list[Account],
    temporal: Any,
    selected: int | None = None,
    **overrides: Any,
) -> tuple[dict, list[int], dict[int, int], datetime]:
    """Through review and selection: the first ``selected`` proposals (all by default)
    become pilots. Returns (challenge, proposal ids, {proposal id: pilot id}, the
    workflow's clock at selection)."""
    overrides.setdefault("max_pilots", len(startups))
    challenge, ids = await challenge_in_review(api, city, startups, temporal, **overrides)
    for pid in ids:
        await screen(api, city, pid)
    await assign(api, city, challenge["id"], evaluators)
    for evaluator in evaluators:
        for assignment in await my_assignments(api, evaluator):
            mark = 9 - ids.index(assignment["proposal_id"])  # earlier proposals rank higher
            await score(api, evaluator, assignment, (mark, mark, mark))
    assert await wait_for_phase(api, challenge["id"], "selection") == "selection"
    chosen = ids[: selected if selected is not None else len(ids)]
    response = await api.post(
        f"/api/challenges/{challenge['id']}/shortlist",
        json={"proposal_ids": chosen},
        headers=city.headers,
    )
    assert response.status_code == 200, response.text
    pilots = {p["proposal_id"]: p["id"] for p in response.json()["pilots"]}
    return challenge, ids, pilots, datetime.fromisoformat(response.json()["timeline"][-1]["at"])


async def agree(
    api: AsyncTestClient,
    city: Account,
    startup: Account,
    pilot_id: int,
    start: datetime,
    days: int = 30,
    budget: float = 40000,
) -> dict:
    """The city sets a simple agreement (start, end after ``days``) and the startup accepts."""
    response = await api.post(
        f"/api/pilots/{pilot_id}/agreement",
        json={
            "starts_at": iso(start),
            "ends_at": iso(start + timedelta(days=days)),
            "budget_eur": budget,
            "milestones": [],
        },
        headers=city.headers,
    )
    assert response.status_code == 200, response.text
    accepted = await api.post(f"/api/pilots/{pilot_id}/accept", headers=startup.headers)
    assert accepted.status_code == 200, accepted.text
    return accepted.json()


async def pilot_status(api: AsyncTestClient, pilot_id: int) -> str:
    return (await api.get(f"/api/pilots/{pilot_id}")).json()["status"]


async def wait_for_pilot(api: AsyncTestClient, pilot_id: int, status: str) -> str:
    return await eventually(lambda: pilot_status(api, pilot_id), lambda s: s == status)
