"""What the fault tests read back from the database and the API to judge the end state:
each transition recorded once, when it was due, and each person told once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.challenges.models import PhaseTransition
from service.notifications.models import Notification


async def transitions(
    sessions: async_sessionmaker[AsyncSession], challenge_id: int
) -> list[PhaseTransition]:
    async with sessions() as session:
        rows = await session.exec(
            select(PhaseTransition)
            .where(PhaseTransition.challenge_id == challenge_id)
            .order_by(col(PhaseTransition.id))
        )
        return list(rows.all())


def steps(rows: list[PhaseTransition], pilot_id: int | None = None) -> list[str]:
    """The phases (or one pilot's statuses) in the order they were recorded."""
    return [r.to_phase for r in rows if r.pilot_id == pilot_id]


def one(rows: list[PhaseTransition], to_phase: str, pilot_id: int | None = None) -> PhaseTransition:
    found = [r for r in rows if r.to_phase == to_phase and r.pilot_id == pilot_id]
    assert len(found) == 1, f"{to_phase} recorded {len(found)} times: {found}"
    return found[0]


def keyed(rows: list[PhaseTransition], key: str) -> PhaseTransition:
    [found] = [r for r in rows if r.key == key]
    return found


def assert_on_time(row: PhaseTransition, due: datetime) -> None:
    assert row.at >= due, f"{row.to_phase} recorded at {row.at}, before it was due at {due}"


async def assert_timeline_matches(
    http: httpx.AsyncClient, challenge_id: int, rows: list[PhaseTransition], viewer: dict
) -> None:
    """The API's timeline is the database's, entry for entry."""
    response = await http.get(f"/api/challenges/{challenge_id}", headers=viewer)
    assert response.status_code == 200, response.text
    timeline = response.json()["timeline"]
    assert [(e["pilot_id"], e["phase"]) for e in timeline] == [
        (r.pilot_id, r.to_phase) for r in rows
    ]
    assert [datetime.fromisoformat(e["at"]) for e in timeline] == [r.at for r in rows]


async def notifications(sessions: async_sessionmaker[AsyncSession]) -> list[Notification]:
    async with sessions() as session:
        return list((await session.exec(select(Notification))).all())


def repeated(rows: list[Notification]) -> list[tuple]:
    """Notifications telling one person the same thing twice, whatever their keys: a
    retried step that made up a new key each time would show here. (Transitions are
    counted by ``transition_notices``: an extended pilot rightly runs twice.)"""
    told = Counter(
        (n.user_id, n.kind, n.challenge_id, n.pilot_id, n.title)
        for n in rows
        if not n.key.startswith("transition-")
    )
    return [what for what, times in told.items() if times > 1]


OUTCOME_REPORT = "-outcome-report"


def transition_notices(rows: list[Notification], user_id: int) -> Counter[str]:
    """How often ``user_id`` was told of each transition (by the transition's key).
    Closing is told by the outcome report's message (one mail, with the report's link),
    so that message counts as the closing transition's notice."""
    return Counter(
        n.key.removeprefix("transition-")
        if n.key.startswith("transition-")
        else n.key.removesuffix(OUTCOME_REPORT) + "-closed"
        for n in rows
        if n.user_id == user_id
        and (n.key.startswith("transition-") or n.key.endswith(OUTCOME_REPORT))
    )
