"""Watching the city's response target for resident input."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from schemas.standing import EscalateOverdueInput, EscalateOverdueResult
from service.residents.escalation import escalate_overdue
from service.settings import Settings


class ResponseTargetActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], settings: Settings):
        self._sessions = session_factory
        self._settings = settings

    @activity.defn
    async def escalate_overdue_inputs(self, input: EscalateOverdueInput) -> EscalateOverdueResult:
        """Today's digest of overdue input to each person answering for a challenge;
        keyed by day, so a retry sends nothing twice."""
        async with self._sessions() as session:
            overdue, digests = await escalate_overdue(
                session, input.as_of, input.day, self._settings.base_url
            )
            await session.commit()
        return EscalateOverdueResult(overdue_inputs=overdue, digests=digests)
