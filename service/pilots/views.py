"""A pilot as the person asking may see it: the read side of the pilots domain.

It needs a session only, no Temporal: the API's pilot page, the public outcome report
and every command's answer read pilots through it. ``rules.reads_startup_notes`` decides
what of the startup's own words each viewer sees.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import PilotStatus, Role
from schemas.pilots import (
    DecisionPublic,
    EvaluationSummary,
    KpiReportPublic,
    KpiResult,
    KpiValuePublic,
    MilestonePublic,
    PilotEvaluationPublic,
    PilotPublic,
    extensions_left,
)
from service.auth.identity import CurrentUser
from service.auth.models import User
from service.challenges.models import Challenge, Kpi, PhaseTransition
from service.challenges.queries import actor_roles, timeline_entry
from service.clock import utcnow
from service.errors import NotFound
from service.pilots.models import (
    KpiReport,
    KpiReportValue,
    Milestone,
    Pilot,
    PilotDecision,
    PilotEvaluation,
    PilotEvaluator,
)
from service.pilots.queries import pilot_evaluators
from service.pilots.rules import FINAL, kpi_met, reads_startup_notes
from service.proposals.models import Proposal
from service.residents.engagement import rating_summaries


class PilotView:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, pilot_id: int) -> tuple[Pilot, Challenge]:
        pilot = await self.session.get(Pilot, pilot_id)
        if pilot is None:
            raise NotFound(f"no pilot {pilot_id}")
        challenge = await self.session.get(Challenge, pilot.challenge_id)
        assert challenge is not None
        return pilot, challenge

    async def read(self, pilot_id: int, viewer: CurrentUser | None) -> PilotPublic:
        pilot, challenge = await self.get(pilot_id)
        return await self.to_public(pilot, challenge, viewer)

    async def to_public(
        self, pilot: Pilot, challenge: Challenge, viewer: CurrentUser | None
    ) -> PilotPublic:
        assert pilot.id is not None
        proposal = await self.session.get(Proposal, pilot.proposal_id)
        startup = await self.session.get(User, pilot.startup_id)
        assert proposal is not None
        assert pilot.id is not None and challenge.id is not None
        now = utcnow()
        milestones = (
            await self.session.exec(
                select(Milestone)
                .where(Milestone.pilot_id == pilot.id)
                .order_by(col(Milestone.position))
            )
        ).all()
        reports = await self.kpi_reports(pilot.id)
        notes = reads_startup_notes(pilot, viewer, await self._evaluator_ids(pilot, viewer))
        if not notes:
            reports = [r.model_copy(update={"note": None}) for r in reports]
        decisions = (
            await self.session.exec(
                select(PilotDecision)
                .where(PilotDecision.pilot_id == pilot.id)
                .order_by(col(PilotDecision.sequence))
            )
        ).all()
        timeline = (
            await self.session.exec(
                select(PhaseTransition)
                .where(PhaseTransition.pilot_id == pilot.id)
                .order_by(col(PhaseTransition.at), col(PhaseTransition.id))
            )
        ).all()
        staff = viewer is not None and viewer.role == Role.CITY
        roles = None if staff else await actor_roles(self.session, timeline)
        return PilotPublic(
            id=pilot.id,
            challenge_id=pilot.challenge_id,
            proposal_id=pilot.proposal_id,
            proposal_title=proposal.title,
            startup_id=pilot.startup_id,
            startup_name=startup.display_name if startup else None,
            status=PilotStatus(pilot.status),
            starts_at=pilot.starts_at,
            ends_at=pilot.ends_at,
            original_ends_at=pilot.original_ends_at,
            budget_eur=pilot.budget_eur,
            agreement_set_at=pilot.agreement_set_at,
            accepted_at=pilot.accepted_at,
            declined_at=pilot.declined_at,
            decline_reason=pilot.decline_reason if notes else None,
            extensions=pilot.extensions,
            extensions_left=extensions_left(pilot.extensions),
            milestones=[
                MilestonePublic(
                    id=m.id,  # type: ignore[arg-type]
                    title=m.title,
                    due_at=m.due_at,
                    completed_at=m.completed_at,
                    completion_note=m.completion_note if notes else None,
                    overdue=m.completed_at is None
                    and m.due_at < now
                    and pilot.status == PilotStatus.RUNNING,
                )
                for m in milestones
            ],
            kpi_results=await self.kpi_results(pilot.id, challenge.id, reports),
            kpi_reports=reports,
            evaluation=await self.evaluation_summary(pilot, viewer),
            decisions=[DecisionPublic.model_validate(d) for d in decisions],
            timeline=[timeline_entry(t, roles) for t in timeline],
            residents=(await rating_summaries(self.session, challenge.id, [pilot]))[0],
        )

    async def _evaluator_ids(self, pilot: Pilot, viewer: CurrentUser | None) -> set[int]:
        """The pilot's evaluators, looked up only when an evaluator is asking."""
        if viewer is None or viewer.role != Role.EVALUATOR:
            return set()
        return await self.evaluators_of(pilot)

    async def kpi_reports(self, pilot_id: int) -> list[KpiReportPublic]:
        reports = (
            await self.session.exec(
                select(KpiReport).where(KpiReport.pilot_id == pilot_id).order_by(col(KpiReport.id))
            )
        ).all()
        values = (
            await self.session.exec(
                select(KpiReportValue).where(
                    col(KpiReportValue.report_id).in_([r.id for r in reports])
                )
            )
        ).all()
        by_report: dict[int, list[KpiValuePublic]] = {}
        for value in values:
            by_report.setdefault(value.report_id, []).append(
                KpiValuePublic(kpi_id=value.kpi_id, value=value.value)
            )
        return [
            KpiReportPublic(
                id=r.id,  # type: ignore[arg-type]
                submitted_at=r.submitted_at,
                note=r.note,
                values=by_report.get(r.id, []),  # type: ignore[arg-type]
            )
            for r in reports
        ]

    async def kpi_results(
        self, pilot_id: int, challenge_id: int, reports: Sequence[KpiReportPublic]
    ) -> list[KpiResult]:
        """Each KPI's latest reported value against the challenge's target."""
        kpis = (
            await self.session.exec(
                select(Kpi).where(Kpi.challenge_id == challenge_id).order_by(col(Kpi.position))
            )
        ).all()
        latest: dict[int, float] = {}
        counts: dict[int, int] = {}
        for report in reports:  # oldest first: later reports overwrite
            for value in report.values:
                latest[value.kpi_id] = value.value
                counts[value.kpi_id] = counts.get(value.kpi_id, 0) + 1
        return [
            KpiResult(
                kpi_id=k.id,  # type: ignore[arg-type]
                name=k.name,
                unit=k.unit,
                target=k.target,
                direction=k.direction,
                value=latest.get(k.id),  # type: ignore[arg-type]
                met=kpi_met(k.direction, latest[k.id], k.target) if k.id in latest else None,
                reports=counts.get(k.id, 0),  # type: ignore[arg-type]
            )
            for k in kpis
        ]

    async def evaluation_summary(
        self, pilot: Pilot, viewer: CurrentUser | None
    ) -> EvaluationSummary:
        """Counts and the mean for everyone once decided; each (anonymised) score for
        the city."""
        evaluators = (
            await self.session.exec(
                select(func.count())
                .select_from(PilotEvaluator)
                .where(PilotEvaluator.pilot_id == pilot.id)
            )
        ).one()
        scores = (
            await self.session.exec(
                select(PilotEvaluation)
                .where(PilotEvaluation.pilot_id == pilot.id)
                .order_by(col(PilotEvaluation.round), col(PilotEvaluation.id))
            )
        ).all()
        current = [s for s in scores if s.round == pilot.extensions]
        is_city = viewer is not None and viewer.role == Role.CITY
        show_mean = is_city or pilot.status in FINAL
        labels: dict[int, str] = {}
        return EvaluationSummary(
            evaluators=evaluators,
            scored=len(current),
            mean_score=round(sum(s.score for s in current) / len(current), 4)
            if current and show_mean
            else None,
            scores=[
                PilotEvaluationPublic(
                    evaluator=labels.setdefault(s.evaluator_id, f"Evaluator {len(labels) + 1}"),
                    score=s.score,
                    comment=s.comment,
                    round=s.round,
                )
                for s in scores
            ]
            if is_city
            else None,
        )

    async def evaluators_of(self, pilot: Pilot) -> set[int]:
        """The evaluators the city chose for this pilot, else the challenge's pool (the
        same rule the workflow applies when it invites them)."""
        return set(await pilot_evaluators(self.session, pilot))
