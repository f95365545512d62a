"""Challenges: drafting, publishing, cancelling, and reading them back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from pydantic import ValidationError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.challenges import (
    ChallengeCreate,
    ChallengeListItem,
    ChallengePublic,
    ChallengeUpdate,
    CriterionIn,
    KpiIn,
)
from schemas.common import ActorKind, ChallengePhase, Page, Role
from schemas.workflows import CancelChallengeInput, ChallengeWorkflowInput, RecordTransitionInput
from service.auth.identity import CurrentUser
from service.challenges import queries
from service.challenges.commands import record_transition
from service.challenges.models import Challenge, Criterion, Kpi, PhaseTransition
from service.challenges.queries import visible_challenge
from service.challenges.rules import public_condition, sees_unpublished
from service.challenges.views import challenge_public
from service.clock import utcnow
from service.errors import FieldError, PhaseConflict, invalid_model
from service.pagination import paginate
from service.workflow_gateway import WorkflowGateway, WorkflowUnavailable

PUBLISH_WAIT = timedelta(seconds=10)


class ChallengeService:
    def __init__(self, session: AsyncSession, gateway: WorkflowGateway) -> None:
        self.session = session
        self.gateway = gateway

    # -- reading -----------------------------------------------------------------------

    async def get_visible(self, challenge_id: int, viewer: CurrentUser | None) -> Challenge:
        """The challenge, if ``viewer`` may see it: drafts are the city's alone."""
        return await visible_challenge(self.session, challenge_id, viewer)

    async def read(self, challenge_id: int, viewer: CurrentUser | None) -> ChallengePublic:
        challenge = await self.get_visible(challenge_id, viewer)
        return await self.to_public(challenge, public=viewer is None or viewer.role != Role.CITY)

    async def page(
        self,
        viewer: CurrentUser | None,
        phase: ChallengePhase | None,
        cursor: str | None,
        limit: int,
    ) -> Page[ChallengeListItem]:
        statement = select(Challenge)
        if phase is not None:
            statement = statement.where(Challenge.phase == phase)
        if not sees_unpublished(viewer):
            statement = statement.where(public_condition())
        rows, next_cursor = await paginate(self.session, statement, Challenge.id, cursor, limit)
        return Page(
            items=[ChallengeListItem.model_validate(row) for row in rows], next_cursor=next_cursor
        )

    async def timeline(self, challenge_id: int) -> Sequence[PhaseTransition]:
        return await queries.timeline(self.session, challenge_id)

    async def criteria(self, challenge_id: int) -> Sequence[Criterion]:
        return await queries.criteria(self.session, challenge_id)

    async def kpis(self, challenge_id: int) -> Sequence[Kpi]:
        return await queries.kpis(self.session, challenge_id)

    async def to_public(self, challenge: Challenge, public: bool = False) -> ChallengePublic:
        return await challenge_public(self.session, challenge, public)

    # -- drafting ----------------------------------------------------------------------

    async def create(self, data: ChallengeCreate, author: CurrentUser) -> ChallengePublic:
        _require_future(data)
        challenge = Challenge(
            **data.model_dump(exclude={"criteria", "kpis"}),
            created_by_id=author.id,
        )
        self.session.add(challenge)
        await self.session.flush()
        assert challenge.id is not None
        self._add_criteria(challenge.id, data.criteria)
        self._add_kpis(challenge.id, data.kpis)
        await self.session.commit()
        return await self.to_public(challenge)

    async def update(
        self, challenge_id: int, patch: ChallengeUpdate, editor: CurrentUser
    ) -> ChallengePublic:
        challenge = await self.get_visible(challenge_id, editor)
        _require_draft(challenge, "edited")
        current = challenge.model_dump(include=set(ChallengeCreate.model_fields))
        current["criteria"] = [
            c.model_dump(include=set(CriterionIn.model_fields))
            for c in await self.criteria(challenge_id)
        ]
        current["kpis"] = [
            k.model_dump(include=set(KpiIn.model_fields)) for k in await self.kpis(challenge_id)
        ]
        changes = patch.model_dump(exclude_unset=True)
        try:
            merged = ChallengeCreate.model_validate({**current, **changes})
        except ValidationError as exc:
            raise invalid_model(exc) from None
        _require_future(merged)
        for field, value in merged.model_dump(exclude={"criteria", "kpis"}).items():
            setattr(challenge, field, value)
        challenge.updated_at = utcnow()
        self.session.add(challenge)
        if "criteria" in changes:
            await self.session.exec(
                delete(Criterion).where(col(Criterion.challenge_id) == challenge_id)
            )
            self._add_criteria(challenge_id, merged.criteria)
        if "kpis" in changes:
            await self.session.exec(delete(Kpi).where(col(Kpi.challenge_id) == challenge_id))
            self._add_kpis(challenge_id, merged.kpis)
        await self.session.commit()
        return await self.to_public(challenge)

    def _add_criteria(self, challenge_id: int, criteria: list[CriterionIn]) -> None:
        for position, criterion in enumerate(criteria):
            self.session.add(
                Criterion(challenge_id=challenge_id, position=position, **criterion.model_dump())
            )

    def _add_kpis(self, challenge_id: int, kpis: list[KpiIn]) -> None:
        for position, kpi in enumerate(kpis):
            self.session.add(Kpi(challenge_id=challenge_id, position=position, **kpi.model_dump()))

    # -- lifecycle ---------------------------------------------------------------------

    async def publish(self, challenge_id: int, actor: CurrentUser) -> ChallengePublic:
        """Freeze the rules and start the workflow, which records ``open``.

        Idempotent: a challenge already published is returned as it is, and a publish
        interrupted after the commit starts the same workflow (same id) when repeated.
        """
        challenge = await self.get_visible(challenge_id, actor)
        if challenge.phase == ChallengePhase.CANCELLED:
            raise PhaseConflict(
                "the challenge", challenge.phase, "a cancelled challenge stays cancelled"
            )
        if challenge.phase != ChallengePhase.DRAFT:
            return await self.to_public(challenge)
        freezing_now = challenge.published_at is None
        if freezing_now:
            if challenge.proposals_close_at <= utcnow():
                raise FieldError(
                    "proposals_close_at", "is in the past; move it to the future to publish"
                )
            challenge.published_at = utcnow()
            challenge.published_by_id = actor.id
            self.session.add(challenge)
            await self.session.commit()
        assert challenge.published_by_id is not None
        try:
            await self.gateway.start_challenge(
                ChallengeWorkflowInput(
                    challenge_id=challenge_id,
                    published_by=challenge.published_by_id,
                    proposals_close_at=challenge.proposals_close_at,
                    review_deadline=challenge.review_deadline,
                    review_reminder_days=challenge.review_reminder_days or [],
                )
            )
        except WorkflowUnavailable as exc:
            if freezing_now and exc.surely_not_started:
                # Temporal refused the connection: nothing started, the draft stays a
                # draft the city can still edit (and publish again).
                challenge.published_at = challenge.published_by_id = None
                self.session.add(challenge)
                await self.session.commit()
            raise
        await self.gateway.await_phase_change(challenge_id, ChallengePhase.DRAFT, PUBLISH_WAIT)
        await self.session.refresh(challenge)
        return await self.to_public(challenge)

    async def cancel(self, challenge_id: int, reason: str, actor: CurrentUser) -> ChallengePublic:
        challenge = await self.get_visible(challenge_id, actor)
        if challenge.phase in (ChallengePhase.CLOSED, ChallengePhase.CANCELLED):
            raise PhaseConflict("the challenge", challenge.phase, "it has already ended")
        if challenge.published_at is None:
            # A draft has no workflow yet: the API records its end itself.
            await self._cancel_draft(challenge, reason, actor)
        else:
            await self.gateway.cancel_challenge(
                challenge_id, CancelChallengeInput(actor_id=actor.id, reason=reason)
            )
        await self.session.refresh(challenge)
        return await self.to_public(challenge)

    async def _cancel_draft(self, challenge: Challenge, reason: str, actor: CurrentUser) -> None:
        assert challenge.id is not None
        await record_transition(
            self.session,
            RecordTransitionInput(
                challenge_id=challenge.id,
                to_phase=ChallengePhase.CANCELLED,
                at=utcnow(),
                actor_kind=ActorKind.USER,
                actor_id=actor.id,
                reason=reason,
                key=f"challenge-{challenge.id}-{ChallengePhase.CANCELLED.value}",
            ),
        )
        await self.session.commit()


def _require_draft(challenge: Challenge, action: str) -> None:
    if challenge.phase != ChallengePhase.DRAFT or challenge.published_at is not None:
        raise PhaseConflict(
            "the challenge",
            challenge.phase,
            f"only a draft can be {action}; the rules are frozen once published",
        )


def _require_future(data: ChallengeCreate) -> None:
    if data.proposals_close_at <= utcnow():
        raise FieldError("proposals_close_at", "must be in the future")
