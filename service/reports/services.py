"""The public outcome report of a challenge, as JSON and as CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase
from schemas.reports import (
    ListedProposal,
    OutcomeReport,
    PilotEvaluationOutcome,
    PilotOutcome,
    ProposalCounts,
    ReportChallenge,
    ReportCriterion,
    ReportKpi,
    YouSaidWeDid,
)
from schemas.residents import InputStage
from service.auth.models import User
from service.challenges.models import Challenge
from service.challenges.queries import published_challenge
from service.challenges.rules import require_phase
from service.challenges.views import challenge_public
from service.clock import utcnow
from service.pilots.models import Milestone, Pilot
from service.pilots.views import PilotView
from service.proposals.models import Proposal, ProposalStatus
from service.residents.engagement import engagement, you_said_we_did

REPORTED_PHASES = {ChallengePhase.CLOSED, ChallengePhase.CANCELLED}


class ReportService:
    """Reads only: it needs a session, never Temporal."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.pilots = PilotView(session)

    async def outcome_report(self, challenge_id: int) -> OutcomeReport:
        challenge = await published_challenge(self.session, challenge_id)
        require_phase(
            challenge, REPORTED_PHASES, "the outcome report is published when the challenge ends"
        )
        public = await challenge_public(self.session, challenge, public=True)
        proposals = (
            await self.session.exec(
                select(Proposal)
                .where(Proposal.challenge_id == challenge_id)
                .order_by(col(Proposal.id))
            )
        ).all()
        names = {
            u.id: u.display_name
            for u in (
                await self.session.exec(
                    select(User).where(col(User.id).in_({p.startup_id for p in proposals}))
                )
            ).all()
        }
        statuses = Counter(p.status for p in proposals)
        pilots = await self._pilots(challenge_id)
        residents = await engagement(self.session, challenge, pilots=pilots)
        outcomes = [await self._pilot_outcome(p, challenge) for p in pilots]
        selected = statuses[ProposalStatus.SELECTED]
        not_selected = statuses[ProposalStatus.NOT_SELECTED]
        return OutcomeReport(
            challenge=ReportChallenge(
                id=challenge_id,
                title=challenge.title,
                problem_statement=challenge.problem_statement,
                test_bed=challenge.test_bed,
                pilot_budget_cap_eur=challenge.pilot_budget_cap_eur,
                max_pilots=challenge.max_pilots,
                criteria=[ReportCriterion(name=c.name, weight=c.weight) for c in public.criteria],
                kpis=[ReportKpi.model_validate(k) for k in public.kpis],
                phase=challenge.phase,
                published_at=challenge.published_at,
                ended_at=public.timeline[-1].at if public.timeline else None,
                cancel_reason=challenge.cancel_reason,
            ),
            timeline=public.timeline,
            proposals=ProposalCounts(
                received=len(proposals),
                withdrawn=statuses[ProposalStatus.WITHDRAWN],
                eligible=selected + not_selected + statuses[ProposalStatus.ELIGIBLE],
                ineligible=statuses[ProposalStatus.INELIGIBLE],
                selected=selected,
                not_selected=not_selected,
            ),
            listed_proposals=[
                ListedProposal(
                    title=p.title, startup_name=names.get(p.startup_id), outcome=p.status
                )
                for p in proposals
                if p.status == ProposalStatus.SELECTED or p.public_title_consent
            ],
            pilots=outcomes,
            residents=residents,
            you_said_we_did=await self._you_said_we_did(
                challenge_id, {o.pilot_id: o.proposal_title for o in outcomes}
            ),
            generated_at=utcnow(),
        )

    async def _pilots(self, challenge_id: int) -> list[Pilot]:
        return list(
            (
                await self.session.exec(
                    select(Pilot).where(Pilot.challenge_id == challenge_id).order_by(col(Pilot.id))
                )
            ).all()
        )

    async def _pilot_outcome(self, pilot: Pilot, challenge: Challenge) -> PilotOutcome:
        public = await self.pilots.to_public(pilot, challenge, viewer=None)
        milestones = (
            await self.session.exec(select(Milestone).where(Milestone.pilot_id == pilot.id))
        ).all()
        return PilotOutcome(
            pilot_id=public.id,
            proposal_title=public.proposal_title,
            startup_name=public.startup_name,
            status=public.status,
            starts_at=public.starts_at,
            ends_at=public.ends_at,
            original_ends_at=public.original_ends_at,
            extensions=public.extensions,
            budget_eur=public.budget_eur,
            milestones_total=len(milestones),
            milestones_completed=sum(1 for m in milestones if m.completed_at is not None),
            kpi_results=public.kpi_results,
            evaluation=PilotEvaluationOutcome(
                evaluators=public.evaluation.evaluators,
                scored=public.evaluation.scored,
                mean_score=public.evaluation.mean_score,
            ),
            residents=public.residents,
            decisions=public.decisions,
            final_decision=public.decisions[-1]
            if public.status in ("scale_up", "stopped") and public.decisions
            else None,
        )

    async def _you_said_we_did(
        self, challenge_id: int, pilot_titles: dict[int, str]
    ) -> list[YouSaidWeDid]:
        return [
            YouSaidWeDid(
                input_id=item.id,
                about=f"pilot: {pilot_titles.get(item.pilot_id)}"
                if item.stage == InputStage.PILOT and item.pilot_id is not None
                else f"the {item.stage.value}",
                said=item.body,
                said_at=item.created_at,
                endorsements=item.endorsement_count,
                status=item.status,
                answer=item.response.body if item.response else None,
                answered_at=item.response.answered_at if item.response else None,
            )
            for item in await you_said_we_did(self.session, challenge_id)
        ]


def report_rows(report: OutcomeReport) -> Iterator[tuple[str, str, str, Any]]:
    """The report flattened to (section, subject, field, value), for spreadsheets."""
    c = report.challenge
    for field in ("title", "problem_statement", "test_bed", "phase", "published_at", "ended_at",
                  "cancel_reason", "pilot_budget_cap_eur", "max_pilots"):  # fmt: skip
        yield "challenge", c.title, field, getattr(c, field)
    for criterion in c.criteria:
        yield "criterion", criterion.name, "weight", criterion.weight
    for target in c.kpis:
        yield "kpi", target.name, "target", f"{target.direction} {target.target:g} {target.unit}"
    for entry in report.timeline:
        subject = f"pilot {entry.pilot_id}" if entry.pilot_id else "challenge"
        yield (
            "timeline",
            subject,
            entry.phase,
            f"{entry.at.isoformat()} {entry.actor}: {entry.reason or ''}",
        )
    for field, value in report.proposals.model_dump().items():
        yield "proposals", "count", field, value
    for listed in report.listed_proposals:
        yield "proposal", listed.title, "outcome", listed.outcome
    for pilot in report.pilots:
        subject = pilot.proposal_title
        yield "pilot", subject, "startup", pilot.startup_name
        yield "pilot", subject, "status", pilot.status
        yield "pilot", subject, "starts_at", pilot.starts_at
        yield "pilot", subject, "ends_at", pilot.ends_at
        yield "pilot", subject, "extensions", pilot.extensions
        yield "pilot", subject, "budget_eur", pilot.budget_eur
        yield (
            "pilot",
            subject,
            "milestones",
            f"{pilot.milestones_completed}/{pilot.milestones_total}",
        )
        for kpi in pilot.kpi_results:
            met = {True: "met", False: "not met", None: "not reported"}[kpi.met]
            yield (
                "pilot",
                subject,
                f"kpi: {kpi.name}",
                f"{kpi.value} {kpi.unit} ({met}; target {kpi.target:g})",
            )
        yield "pilot", subject, "evaluation_mean_score", pilot.evaluation.mean_score
        if pilot.residents:
            yield "pilot", subject, "resident_inputs", pilot.residents.inputs
            yield "pilot", subject, "resident_ratings", pilot.residents.ratings
            yield "pilot", subject, "resident_average_rating", pilot.residents.average_rating
        for decision in pilot.decisions:
            name = f"decision {decision.sequence}"
            yield "pilot", subject, name, f"{decision.decision}: {decision.reason}"
            if decision.new_end_at is not None:
                yield "pilot", subject, f"{name} new_end_at", decision.new_end_at
            # The scale-up plan, as the JSON report carries it: one row per part.
            for part, value in (decision.plan or {}).items():
                shown = "; ".join(map(str, value)) if isinstance(value, list) else value
                yield "pilot", subject, f"{name} plan: {part}", shown
        if pilot.final_decision:
            yield "pilot", subject, "final_decision", pilot.final_decision.decision
    for field in ("followers", "inputs", "hidden", "endorsements", "answered_share",
                  "answered_on_time_share", "median_hours_to_answer", "overdue"):  # fmt: skip
        yield "residents", "challenge", field, getattr(report.residents, field)
    for item in report.you_said_we_did:
        yield "you_said_we_did", item.about, "you said", item.said
        yield "you_said_we_did", item.about, "we did", item.answer or ""


def _cell(value: Any) -> str:
    """A spreadsheet cell; text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: OutcomeReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "subject", "field", "value"])
    for row in report_rows(report):
        writer.writerow([_cell(cell) for cell in row])
    return buffer.getvalue()
