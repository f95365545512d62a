"""Pilots: the agreement, the startup's answer, milestones and KPI reports while
running, the evaluation, and the city's decision (handed to the pilot's workflow).

These are the commands; each answers with the pilot as ``views.PilotView`` shows it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, PilotDecisionKind, PilotStatus, Role
from schemas.pilots import (
    AgreementRequest,
    DecisionRequest,
    KpiReportCreate,
    KpiReportPublic,
    KpiValuePublic,
    PilotPublic,
    extension_refusal,
)
from schemas.workflows import (
    AcceptPilotInput,
    AddPilotInput,
    DeclinePilotInput,
    PilotDecisionInput,
)
from service.auth.identity import CurrentUser
from service.auth.models import User
from service.challenges.models import Challenge, Kpi
from service.challenges.queries import published_challenge
from service.challenges.rules import require_phase
from service.clock import utcnow
from service.db.upsert import insert_missing, table_of, upsert
from service.errors import Conflict, FieldError, Forbidden, NotFound, PhaseConflict
from service.notifications import messages
from service.notifications.commands import notify
from service.pilots.models import (
    KpiReport,
    KpiReportValue,
    Milestone,
    Pilot,
    PilotEvaluation,
    PilotEvaluator,
)
from service.pilots.rules import FINAL
from service.pilots.views import PilotView
from service.proposals.models import Proposal, ProposalStatus
from service.review.queries import rank_challenge
from service.workflow_gateway import WorkflowGateway


def require_status(pilot: Pilot, allowed: set[PilotStatus], why: str) -> None:
    if pilot.status not in allowed:
        raise PhaseConflict("the pilot", pilot.status, why)


class PilotService:
    """The pilot commands; those the pilot's workflow decides go through the gateway."""

    def __init__(self, session: AsyncSession, gateway: WorkflowGateway) -> None:
        self.session = session
        self.gateway = gateway
        self.view = PilotView(session)

    async def _own(self, pilot_id: int, startup: CurrentUser) -> tuple[Pilot, Challenge]:
        pilot, challenge = await self.view.get(pilot_id)
        if pilot.startup_id != startup.id:
            raise Forbidden("only the startup running this pilot can do this")
        return pilot, challenge

    async def read(self, pilot_id: int, viewer: CurrentUser | None) -> PilotPublic:
        return await self.view.read(pilot_id, viewer)

    # -- the agreement -----------------------------------------------------------------

    async def set_agreement(
        self, pilot_id: int, data: AgreementRequest, city: CurrentUser
    ) -> PilotPublic:
        pilot, challenge = await self.view.get(pilot_id)
        require_status(pilot, {PilotStatus.AGREEMENT}, "the agreement is set before the pilot")
        if pilot.accepted_at is not None:
            raise Conflict("the startup has accepted this agreement; it can no longer change")
        if data.budget_eur > challenge.pilot_budget_cap_eur:
            raise FieldError(
                "budget_eur",
                f"exceeds the challenge's pilot budget cap of {challenge.pilot_budget_cap_eur} EUR",
            )
        if data.starts_at <= utcnow():
            raise FieldError("starts_at", "must be in the future")
        now = utcnow()
        pilot.starts_at, pilot.ends_at = data.starts_at, data.ends_at
        pilot.original_ends_at = data.ends_at
        pilot.budget_eur = data.budget_eur
        pilot.agreement_set_at, pilot.agreement_set_by_id = now, city.id
        pilot.updated_at = now
        self.session.add(pilot)
        await self.session.exec(delete(Milestone).where(col(Milestone.pilot_id) == pilot_id))
        for position, milestone in enumerate(data.milestones):
            self.session.add(
                Milestone(
                    pilot_id=pilot_id,
                    position=position,
                    title=milestone.title,
                    due_at=milestone.due_at,
                )
            )
        proposal = await self.session.get(Proposal, pilot.proposal_id)
        assert proposal is not None
        await notify(
            self.session,
            [pilot.startup_id],
            messages.pilot_agreement(
                pilot_id=pilot_id,
                challenge_id=challenge.id,
                set_at=now,
                proposal=proposal.title,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                budget_eur=data.budget_eur,
                milestones=len(data.milestones),
            ),
        )
        await self.session.commit()
        return await self.view.to_public(pilot, challenge, city)

    async def accept(self, pilot_id: int, startup: CurrentUser) -> PilotPublic:
        pilot, challenge = await self._own(pilot_id, startup)
        require_status(pilot, {PilotStatus.AGREEMENT}, "an agreement is accepted before the pilot")
        if pilot.agreement_set_at is None:
            raise Conflict("the city has not set the agreement yet")
        if pilot.starts_at is not None and pilot.starts_at <= utcnow():
            raise Conflict("the agreed start date has passed; ask the city for new dates")
        await self.gateway.accept_pilot(pilot_id, AcceptPilotInput(actor_id=startup.id))
        return await self._refreshed(pilot, challenge, startup)

    async def decline(self, pilot_id: int, reason: str, startup: CurrentUser) -> PilotPublic:
        pilot, challenge = await self._own(pilot_id, startup)
        require_status(pilot, {PilotStatus.AGREEMENT}, "an agreement is declined before the pilot")
        await self.gateway.decline_pilot(
            pilot_id, DeclinePilotInput(actor_id=startup.id, reason=reason)
        )
        return await self._refreshed(pilot, challenge, startup)

    async def _refreshed(
        self, pilot: Pilot, challenge: Challenge, viewer: CurrentUser
    ) -> PilotPublic:
        await self.session.refresh(pilot)
        return await self.view.to_public(pilot, challenge, viewer)

    # -- running -----------------------------------------------------------------------

    async def complete_milestone(
        self, pilot_id: int, milestone_id: int, note: str, startup: CurrentUser
    ) -> PilotPublic:
        pilot, challenge = await self._own(pilot_id, startup)
        require_status(pilot, {PilotStatus.RUNNING}, "milestones are completed while running")
        milestone = await self.session.get(Milestone, milestone_id)
        if milestone is None or milestone.pilot_id != pilot_id:
            raise NotFound(f"no milestone {milestone_id} in pilot {pilot_id}")
        if milestone.completed_at is not None:
            raise Conflict("this milestone is already complete")
        milestone.completed_at = utcnow()
        milestone.completion_note = note or None
        self.session.add(milestone)
        await self.session.commit()
        return await self.view.to_public(pilot, challenge, startup)

    async def report_kpis(
        self, pilot_id: int, data: KpiReportCreate, startup: CurrentUser
    ) -> KpiReportPublic:
        pilot, challenge = await self._own(pilot_id, startup)
        require_status(
            pilot,
            {PilotStatus.RUNNING, PilotStatus.EVALUATION},
            "KPI reports are filed while the pilot runs and during its evaluation",
        )
        kpis = set(
            (await self.session.exec(select(Kpi.id).where(Kpi.challenge_id == challenge.id))).all()
        )
        for index, value in enumerate(data.values):
            if value.kpi_id not in kpis:
                raise FieldError(f"values.{index}.kpi_id", "is not a KPI of this challenge")
        report = KpiReport(pilot_id=pilot_id, note=data.note, submitted_by_id=startup.id)
        self.session.add(report)
        await self.session.flush()
        for value in data.values:
            self.session.add(
                KpiReportValue(report_id=report.id, kpi_id=value.kpi_id, value=value.value)  # type: ignore[arg-type]
            )
        await self.session.commit()
        return KpiReportPublic(
            id=report.id,  # type: ignore[arg-type]
            submitted_at=report.submitted_at,
            note=report.note,
            values=[KpiValuePublic(kpi_id=v.kpi_id, value=v.value) for v in data.values],
        )

    # -- evaluation and decision -------------------------------------------------------

    async def set_evaluators(
        self, pilot_id: int, evaluator_ids: Sequence[int], city: CurrentUser
    ) -> PilotPublic:
        pilot, challenge = await self.view.get(pilot_id)
        if pilot.status in FINAL:
            raise PhaseConflict("the pilot", pilot.status, "it has its final decision")
        users = (await self.session.exec(select(User).where(col(User.id).in_(evaluator_ids)))).all()
        valid = {u.id for u in users if u.role == Role.EVALUATOR and u.id is not None}
        unknown = [str(i) for i in evaluator_ids if i not in valid]
        if unknown:
            raise FieldError("evaluator_ids", f"not evaluator accounts: {', '.join(unknown)}")
        await self.session.exec(
            delete(PilotEvaluator).where(col(PilotEvaluator.pilot_id) == pilot_id)
        )
        await insert_missing(
            self.session,
            table_of(PilotEvaluator),
            [{"pilot_id": pilot_id, "evaluator_id": e} for e in sorted(valid)],
            unique=("pilot_id", "evaluator_id"),
        )
        await self.session.commit()
        return await self.view.to_public(pilot, challenge, city)

    async def evaluate(
        self, pilot_id: int, score: int, comment: str, evaluator: CurrentUser
    ) -> PilotPublic:
        pilot, challenge = await self.view.get(pilot_id)
        require_status(pilot, {PilotStatus.EVALUATION}, "pilots are scored during their evaluation")
        if evaluator.id not in await self.view.evaluators_of(pilot):
            raise Forbidden("you are not an evaluator of this pilot")
        # One evaluation per evaluator and round, whoever writes first: the same one sent
        # many times at once is stored once, and sending it again changes nothing.
        await upsert(
            self.session,
            table_of(PilotEvaluation),
            [
                {
                    "pilot_id": pilot_id,
                    "evaluator_id": evaluator.id,
                    "round": pilot.extensions,
                    "score": score,
                    "comment": comment,
                    "updated_at": utcnow(),
                }
            ],
            unique=("pilot_id", "evaluator_id", "round"),
            update=("score", "comment", "updated_at"),
            when_changed=("score", "comment"),
        )
        await self.session.commit()
        return await self.view.to_public(pilot, challenge, evaluator)

    async def decide(self, pilot_id: int, data: DecisionRequest, city: CurrentUser) -> PilotPublic:
        pilot, challenge = await self.view.get(pilot_id)
        require_status(pilot, {PilotStatus.EVALUATION}, "the city decides once the pilot has ended")
        if data.decision == "extend":
            assert data.new_end_at is not None
            refusal = extension_refusal(pilot.extensions)
            if refusal is not None:
                raise Conflict(refusal)
            if data.new_end_at <= utcnow() or (pilot.ends_at and data.new_end_at <= pilot.ends_at):
                raise FieldError("new_end_at", "must be in the future and after the current end")
        await self.gateway.decide_pilot(
            pilot_id,
            PilotDecisionInput(
                actor_id=city.id,
                decision=PilotDecisionKind(data.decision),
                reason=data.reason,
                new_end_at=data.new_end_at,
                plan=data.plan,
            ),
        )
        return await self._refreshed(pilot, challenge, city)

    async def add_pilot(
        self, challenge_id: int, proposal_id: int, city: CurrentUser
    ) -> PilotPublic:
        """Give a slot freed by a declined agreement to another proposal."""
        challenge = await published_challenge(self.session, challenge_id)
        require_phase(challenge, {ChallengePhase.PILOTING}, "pilots are added while piloting")
        pilots = (
            await self.session.exec(select(Pilot).where(Pilot.challenge_id == challenge_id))
        ).all()
        taken = sum(1 for p in pilots if p.declined_at is None)
        if taken >= challenge.max_pilots:
            raise Conflict(f"all {challenge.max_pilots} pilot slots are taken")
        proposal = await self.session.get(Proposal, proposal_id)
        if proposal is None or proposal.challenge_id != challenge_id:
            raise FieldError("proposal_id", f"{proposal_id} is not in this challenge")
        ranked = {r.proposal_id for r in await rank_challenge(self.session, challenge_id)}
        if proposal.status != ProposalStatus.NOT_SELECTED or proposal_id not in ranked:
            raise FieldError(
                "proposal_id",
                "only an eligible, scored proposal that was not selected can fill a slot",
            )
        ref = await self.gateway.add_pilot(
            challenge_id, AddPilotInput(actor_id=city.id, proposal_id=proposal_id)
        )
        pilot = await self.session.get(Pilot, ref.id)
        assert pilot is not None
        return await self.view.to_public(pilot, challenge, city)
