"""The daily round prunes what has served its purpose: closed rate-limit windows and
idempotency keys past their day; current ones stay."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from schemas.standing import DailyRoundConfig, DailyRoundInput
from schemas.workflow_names import DAILY_ROUND_WORKFLOW_ID
from service.idempotency.models import IdempotencyKey
from service.ratelimit.models import RateLimitWindow
from tests.stack import eventually
from workflows.daily_round import DailyRoundWorkflow


async def test_the_daily_round_prunes_expired_counters_and_keys(
    temporal, settings, sessions, worker
):
    now = await temporal.get_current_time()
    async with sessions() as session:
        session.add_all(
            [
                RateLimitWindow(
                    subject="email:old",
                    action="login",
                    window_start=now - timedelta(days=3),
                    hits=9,
                ),
                RateLimitWindow(subject="email:new", action="login", window_start=now, hits=1),
                IdempotencyKey(
                    owner="user:1",
                    key="old",
                    method="POST",
                    path="/api/x",
                    request_hash="h",
                    created_at=now - timedelta(days=2),
                ),  # fmt: skip
                IdempotencyKey(
                    owner="user:1",
                    key="new",
                    method="POST",
                    path="/api/x",
                    request_hash="h",
                    created_at=now,
                ),  # fmt: skip
            ]
        )
        await session.commit()

    await temporal.client.start_workflow(
        DailyRoundWorkflow.run,
        DailyRoundInput(config=DailyRoundConfig(hour_utc=(now.hour + 1) % 24)),
        id=DAILY_ROUND_WORKFLOW_ID,
        task_queue=settings.task_queue,
    )
    await temporal.sleep(timedelta(hours=1, minutes=5))

    async def remaining() -> tuple[list[str], list[str]]:
        async with sessions() as session:
            windows = (await session.exec(select(RateLimitWindow.subject))).all()
            keys = (await session.exec(select(IdempotencyKey.key))).all()
        return sorted(windows), sorted(keys)

    assert await eventually(remaining, lambda r: r == (["email:new"], ["new"])) == (
        ["email:new"],
        ["new"],
    )
