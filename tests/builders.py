"""Request bodies and short paths through the lifecycle, for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from tests.actors import Account


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
