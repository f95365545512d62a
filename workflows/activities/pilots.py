"""Activities of the pilot workflows (and of the challenge closing).

Each is idempotent: unique keys on decisions and transitions, notifications keyed by
the event, conditional updates.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from schemas.workflows import (
    AgreementTimes,
    ApplyPilotDecisionInput,
    ChallengeRef,
    CountResult,
    CreatePilotInput,
    MilestoneCheckInput,
    MilestoneCheckResult,
    PilotRef,
    PilotRefInput,
    RecordAcceptanceInput,
    RecordTransitionInput,
)
from service.challenges.commands import record_transition
from service.challenges.models import Challenge
from service.challenges.rules import city_contacts
from service.db.upsert import insert_missing, table_of
from service.errors import Conflict, NotFound
from service.notifications import messages
from service.notifications.commands import notify
from service.pilots.models import Milestone, Pilot, PilotDecision, PilotEvaluator
from service.pilots.opening import open_pilots, record_outcome
from service.pilots.queries import pilot_evaluators
from service.proposals.models import Proposal, ProposalStatus
from service.review.queries import evaluator_pool


class PilotActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def _pilot(self, session: AsyncSession, pilot_id: int) -> tuple[Pilot, Challenge, str]:
        pilot = await session.get(Pilot, pilot_id)
        if pilot is None:
            raise NotFound(f"pilot {pilot_id} does not exist")
        challenge = await session.get(Challenge, pilot.challenge_id)
        proposal = await session.get(Proposal, pilot.proposal_id)
        assert challenge is not None and proposal is not None
        return pilot, challenge, proposal.title

    @activity.defn
    async def load_agreement(self, input: PilotRefInput) -> AgreementTimes:
        async with self._sessions() as session:
            pilot, _, _ = await self._pilot(session, input.pilot_id)
        if pilot.starts_at is None or pilot.ends_at is None:
            raise Conflict("the agreement has no dates yet")
        return AgreementTimes(starts_at=pilot.starts_at, ends_at=pilot.ends_at)

    @activity.defn
    async def record_acceptance(self, input: RecordAcceptanceInput) -> CountResult:
        async with self._sessions() as session:
            pilot_id = input.pilot_id
            pilot, challenge, title = await self._pilot(session, pilot_id)
            if pilot.accepted_at is None:
                pilot.accepted_at = input.at
                pilot.original_ends_at = pilot.original_ends_at or pilot.ends_at
                session.add(pilot)
            await notify(
                session,
                city_contacts(challenge),
                messages.pilot_accepted(
                    pilot_id=pilot_id,
                    challenge_id=challenge.id,
                    pilot=title,
                    starts_at=pilot.starts_at,
                ),
            )
            await session.commit()
        return CountResult(count=1)

    @activity.defn
    async def apply_pilot_decision(self, input: ApplyPilotDecisionInput) -> CountResult:
        """Record a decision, its effect on the pilot and the status it leads to, in one
        transaction; then tell the startup and the city."""
        async with self._sessions() as session:
            pilot, challenge, title = await self._pilot(session, input.pilot_id)
            exists = (
                await session.exec(
                    select(PilotDecision.id).where(
                        PilotDecision.pilot_id == input.pilot_id,
                        PilotDecision.sequence == input.sequence,
                    )
                )
            ).first()
            if exists is None:
                session.add(
                    PilotDecision(
                        pilot_id=input.pilot_id,
                        sequence=input.sequence,
                        decision=input.decision,
                        reason=input.reason,
                        new_end_at=input.new_end_at,
                        plan=input.plan.model_dump(mode="json") if input.plan else None,
                        decided_by_id=input.actor_id,
                        decided_at=input.at,
                    )
                )
                if input.decision == "extend" and input.new_end_at is not None:
                    pilot.ends_at = input.new_end_at
                    pilot.extensions += 1
                if input.decision == "declined":
                    pilot.declined_at = input.at
                    pilot.decline_reason = input.reason
                session.add(pilot)
            # The startup and the city hear the decision itself (with its reason), under
            # the transition's key: the status change told to followers is then no second
            # mail to them.
            await notify(
                session,
                {pilot.startup_id} | city_contacts(challenge),
                messages.pilot_decision(
                    pilot_id=input.pilot_id,
                    sequence=input.sequence,
                    transition_key=input.transition_key,
                    challenge_id=challenge.id,
                    pilot=title,
                    decision=input.decision,
                    reason=input.reason,
                    new_end_at=input.new_end_at,
                ),
            )
            await record_transition(
                session,
                RecordTransitionInput(
                    challenge_id=pilot.challenge_id,
                    pilot_id=input.pilot_id,
                    to_phase=input.to_status,
                    at=input.at,
                    actor_kind=input.actor_kind,
                    actor_id=input.actor_id,
                    reason=f"{input.decision}: {input.reason}",
                    key=input.transition_key,
                ),
            )
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()  # a concurrent attempt recorded it already
        return CountResult(count=1)

    @activity.defn
    async def check_milestones(self, input: MilestoneCheckInput) -> MilestoneCheckResult:
        """Remind the startup and the city of each overdue milestone, at its due date
        and every ``reminder_days`` after; say when to look again."""
        every = timedelta(days=input.reminder_days)
        async with self._sessions() as session:
            pilot, challenge, title = await self._pilot(session, input.pilot_id)
            open_milestones = (
                await session.exec(
                    select(Milestone)
                    .where(
                        Milestone.pilot_id == input.pilot_id, col(Milestone.completed_at).is_(None)
                    )
                    .order_by(col(Milestone.due_at))
                )
            ).all()
            reminded, upcoming = 0, []
            for milestone in open_milestones:
                if milestone.due_at > input.now:
                    upcoming.append(milestone.due_at)
                    continue
                number = math.floor((input.now - milestone.due_at) / every)
                upcoming.append(milestone.due_at + every * (number + 1))
                reminded += await notify(
                    session,
                    {pilot.startup_id} | city_contacts(challenge),
                    messages.milestone_overdue(
                        milestone_id=milestone.id,
                        number=number,
                        challenge_id=challenge.id,
                        pilot_id=input.pilot_id,
                        pilot=title,
                        milestone=milestone.title,
                        due_at=milestone.due_at,
                    ),
                )
            await session.commit()
        return MilestoneCheckResult(reminded=reminded, next_check=min(upcoming, default=None))

    @activity.defn
    async def open_evaluation(self, input: PilotRefInput) -> CountResult:
        """The pilot's evaluators (the challenge's pool unless the city chose others) are
        asked to score it."""
        async with self._sessions() as session:
            pilot, challenge, title = await self._pilot(session, input.pilot_id)
            chosen = await pilot_evaluators(session, pilot)
            # The pool, when it stands in, becomes the pilot's evaluators (those the city
            # chose are there already: nothing new is written for them).
            await insert_missing(
                session,
                table_of(PilotEvaluator),
                [{"pilot_id": input.pilot_id, "evaluator_id": e} for e in chosen],
                unique=("pilot_id", "evaluator_id"),
            )
            round_ = pilot.extensions
            sent = await notify(
                session,
                chosen,
                messages.pilot_evaluation(
                    pilot_id=input.pilot_id, round=round_, challenge_id=challenge.id, pilot=title
                ),
            )
            await notify(
                session,
                city_contacts(challenge),
                messages.pilot_decision_due(
                    pilot_id=input.pilot_id, round=round_, challenge_id=challenge.id, pilot=title
                ),
            )
            await session.commit()
        return CountResult(count=sent)

    @activity.defn
    async def create_pilot(self, input: CreatePilotInput) -> PilotRef:
        """A replacement pilot for a freed slot: the proposal becomes selected."""
        async with self._sessions() as session:
            proposal = await session.get(Proposal, input.proposal_id)
            if proposal is None or proposal.challenge_id != input.challenge_id:
                raise NotFound("no such proposal in this challenge")
            record_outcome(
                session,
                proposal,
                ProposalStatus.SELECTED,
                input.at,
                input.actor_id,
                note="selected for a freed pilot slot",
            )
            await open_pilots(session, input.challenge_id, [proposal], input.at)
            pilot = (
                await session.exec(select(Pilot).where(Pilot.proposal_id == input.proposal_id))
            ).one()
            challenge = await session.get(Challenge, input.challenge_id)
            assert challenge is not None
            await notify(
                session,
                [proposal.startup_id],
                messages.selected_for_freed_slot(
                    challenge_id=input.challenge_id,
                    proposal_id=proposal.id,
                    pilot_id=pilot.id,
                    proposal=proposal.title,
                ),
            )
            await session.commit()
        return PilotRef(id=pilot.id, proposal_id=pilot.proposal_id, startup_id=pilot.startup_id)  # type: ignore[arg-type]

    @activity.defn
    async def announce_outcome(self, input: ChallengeRef) -> CountResult:
        """The challenge closed: everyone who took part hears the report is out."""
        async with self._sessions() as session:
            challenge = await session.get(Challenge, input.challenge_id)
            assert challenge is not None
            startups = (
                await session.exec(
                    select(Proposal.startup_id).where(Proposal.challenge_id == input.challenge_id)
                )
            ).all()
            evaluators = await evaluator_pool(session, input.challenge_id)
            sent = await notify(
                session,
                set(startups) | set(evaluators) | city_contacts(challenge),
                messages.outcome_report(challenge_id=input.challenge_id, challenge=challenge.title),
            )
            await session.commit()
        return CountResult(count=sent)
