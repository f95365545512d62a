"""``proeftuin status``: every running challenge and pilot, its phase, what it waits for
and until when, its workflow as Temporal sees it (and an activity failing in it), the
resident input awaiting an answer and overdue, and the mail outbox's backlog. Read from
the database and Temporal only; it changes nothing."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from schemas.common import ChallengePhase, PilotStatus
from schemas.residents import OPEN_INPUT_STATUSES
from schemas.workflow_names import challenge_workflow_id, pilot_workflow_id
from service.challenges.models import Challenge
from service.notifications.models import MailOutbox, OutboxStatus
from service.pilots.models import Milestone, Pilot
from service.residents.models import ResidentInput

RUNNING_PHASES = (
    ChallengePhase.OPEN,
    ChallengePhase.REVIEW,
    ChallengePhase.SELECTION,
    ChallengePhase.PILOTING,
)
RUNNING_PILOTS = (PilotStatus.AGREEMENT, PilotStatus.RUNNING, PilotStatus.EVALUATION)
DESCRIBE_TIMEOUT = timedelta(seconds=5)


class FailingActivity(BaseModel):
    activity: str
    attempt: int
    last_failure: str | None


class WorkflowState(BaseModel):
    id: str
    status: str
    """``running``, ``completed``, ``failed``, ... as Temporal says; ``missing`` when it
    has no such workflow, ``unknown`` when Temporal could not be asked."""
    failing_activities: list[FailingActivity] = []


class PilotStatusReport(BaseModel):
    id: int
    proposal_id: int
    status: str
    waits_for: str
    until: datetime | None
    milestones_overdue: int
    workflow: WorkflowState


class ChallengeStatusReport(BaseModel):
    id: int
    title: str
    phase: str
    waits_for: str
    until: datetime | None
    inputs_awaiting_answer: int
    inputs_overdue: int
    workflow: WorkflowState
    pilots: list[PilotStatusReport]


class OutboxReport(BaseModel):
    pending: int
    oldest_pending_at: datetime | None
    failed: int


class StatusReport(BaseModel):
    as_of: datetime
    temporal: str
    """``ok``, or ``unreachable`` (then every workflow is ``unknown``)."""
    challenges: list[ChallengeStatusReport]
    inputs_awaiting_answer: int
    inputs_overdue: int
    outbox: OutboxReport


def challenge_waits_for(challenge: Challenge) -> tuple[str, datetime | None]:
    match challenge.phase:
        case ChallengePhase.OPEN:
            return "proposals: the call closes", challenge.proposals_close_at
        case ChallengePhase.REVIEW:
            return "screening and scores, or the review deadline", challenge.review_deadline
        case ChallengePhase.SELECTION:
            return "the city to approve the shortlist", None
        case _:
            return "a decision on every pilot", None


def pilot_waits_for(pilot: Pilot) -> tuple[str, datetime | None]:
    match pilot.status:
        case PilotStatus.AGREEMENT if pilot.agreement_set_at is None:
            return "the city to set the agreement", None
        case PilotStatus.AGREEMENT if pilot.accepted_at is None:
            return "the startup to accept the agreement", None
        case PilotStatus.AGREEMENT:
            return "its start date", pilot.starts_at
        case PilotStatus.RUNNING:
            return "its end date", pilot.ends_at
        case _:
            return "evaluations and the city's decision", None


async def read_status(
    session: AsyncSession, client: Client | None, as_of: datetime
) -> StatusReport:
    challenges = (
        await session.exec(
            select(Challenge)
            .where(col(Challenge.phase).in_(RUNNING_PHASES))
            .order_by(col(Challenge.id))
        )
    ).all()
    ids = [c.id for c in challenges]
    pilots = (
        await session.exec(
            select(Pilot)
            .where(col(Pilot.challenge_id).in_(ids), col(Pilot.status).in_(RUNNING_PILOTS))
            .order_by(col(Pilot.id))
        )
    ).all()
    late_milestones = dict(
        (
            await session.exec(
                select(Milestone.pilot_id, func.count())
                .where(
                    col(Milestone.pilot_id).in_([p.id for p in pilots]),
                    col(Milestone.completed_at).is_(None),
                    col(Milestone.due_at) < as_of,
                )
                .group_by(col(Milestone.pilot_id))
            )
        ).all()
    )
    awaiting = await _inputs_by_challenge(session, None)
    overdue = await _inputs_by_challenge(session, as_of)
    workflow_ids = [challenge_workflow_id(c.id) for c in challenges if c.id is not None]
    workflow_ids += [pilot_workflow_id(p.id) for p in pilots if p.id is not None]
    temporal, workflows = await _describe_all(client, workflow_ids)

    pilots_of: dict[int, list[Pilot]] = defaultdict(list)
    for pilot in pilots:
        pilots_of[pilot.challenge_id].append(pilot)
    reports = []
    for challenge in challenges:
        assert challenge.id is not None
        waits_for, until = challenge_waits_for(challenge)
        pilot_reports = []
        for pilot in pilots_of[challenge.id]:
            assert pilot.id is not None
            pilot_waits, pilot_until = pilot_waits_for(pilot)
            pilot_reports.append(
                PilotStatusReport(
                    id=pilot.id,
                    proposal_id=pilot.proposal_id,
                    status=pilot.status,
                    waits_for=pilot_waits,
                    until=pilot_until,
                    milestones_overdue=late_milestones.get(pilot.id, 0),
                    workflow=workflows[pilot_workflow_id(pilot.id)],
                )
            )
        reports.append(
            ChallengeStatusReport(
                id=challenge.id,
                title=challenge.title,
                phase=challenge.phase,
                waits_for=waits_for,
                until=until,
                inputs_awaiting_answer=awaiting.get(challenge.id, 0),
                inputs_overdue=overdue.get(challenge.id, 0),
                workflow=workflows[challenge_workflow_id(challenge.id)],
                pilots=pilot_reports,
            )
        )
    return StatusReport(
        as_of=as_of,
        temporal=temporal,
        challenges=reports,
        inputs_awaiting_answer=sum(awaiting.values()),
        inputs_overdue=sum(overdue.values()),
        outbox=await _outbox(session),
    )


async def _inputs_by_challenge(
    session: AsyncSession, overdue_at: datetime | None
) -> dict[int, int]:
    query = select(ResidentInput.challenge_id, func.count()).where(
        col(ResidentInput.status).in_(OPEN_INPUT_STATUSES)
    )
    if overdue_at is not None:
        query = query.where(col(ResidentInput.respond_by) < overdue_at)
    rows = (await session.exec(query.group_by(col(ResidentInput.challenge_id)))).all()
    return {challenge_id: count for challenge_id, count in rows}


async def _outbox(session: AsyncSession) -> OutboxReport:
    pending, oldest = (
        await session.exec(
            select(func.count(), func.min(MailOutbox.created_at)).where(
                col(MailOutbox.status) == OutboxStatus.PENDING
            )
        )
    ).one()
    failed = (
        await session.exec(
            select(func.count()).where(col(MailOutbox.status) == OutboxStatus.FAILED)
        )
    ).one()
    return OutboxReport(pending=pending, oldest_pending_at=oldest, failed=failed)


async def _describe_all(
    client: Client | None, workflow_ids: list[str]
) -> tuple[str, dict[str, WorkflowState]]:
    if client is None:
        return "unreachable", {i: WorkflowState(id=i, status="unknown") for i in workflow_ids}
    limit = asyncio.Semaphore(16)

    async def one(workflow_id: str) -> WorkflowState:
        async with limit:
            return await describe(client, workflow_id)

    states = await asyncio.gather(*(one(i) for i in workflow_ids))
    return "ok", {state.id: state for state in states}


async def describe(client: Client, workflow_id: str) -> WorkflowState:
    from temporalio.service import RPCError, RPCStatusCode

    try:
        description = await client.get_workflow_handle(workflow_id).describe(
            rpc_timeout=DESCRIBE_TIMEOUT
        )
    except RPCError as exc:
        status = "missing" if exc.status == RPCStatusCode.NOT_FOUND else "unknown"
        return WorkflowState(id=workflow_id, status=status)
    status = description.status.name.lower() if description.status is not None else "unknown"
    failing = [
        FailingActivity(
            activity=pending.activity_type.name,
            attempt=pending.attempt,
            last_failure=pending.last_failure.message or None
            if pending.HasField("last_failure")
            else None,
        )
        for pending in description.raw_description.pending_activities
        if pending.attempt > 1
    ]
    return WorkflowState(id=workflow_id, status=status, failing_activities=failing)


def as_text(report: StatusReport) -> list[str]:
    """The report for a person: one line per challenge and pilot, then the totals."""

    def when(moment: datetime | None) -> str:
        return f" until {moment.isoformat(timespec='minutes')}" if moment else ""

    def workflow(state: WorkflowState, indent: str) -> list[str]:
        lines = [] if state.status == "running" else [f"{indent}! workflow {state.status}"]
        lines += [
            f"{indent}! activity {a.activity} failing (attempt {a.attempt}): {a.last_failure}"
            for a in state.failing_activities
        ]
        return lines

    lines = [f"Temporal: {report.temporal}"]
    if not report.challenges:
        lines.append("No challenge is running.")
    for c in report.challenges:
        lines.append(
            f"challenge {c.id} [{c.phase}] {c.title!r}: waits for {c.waits_for}{when(c.until)}"
            + (f"; {c.inputs_overdue} input(s) overdue" if c.inputs_overdue else "")
        )
        lines += workflow(c.workflow, "  ")
        for p in c.pilots:
            lines.append(
                f"  pilot {p.id} [{p.status}] (proposal {p.proposal_id}): waits for "
                f"{p.waits_for}{when(p.until)}"
                + (f"; {p.milestones_overdue} milestone(s) overdue" if p.milestones_overdue else "")
            )
            lines += workflow(p.workflow, "    ")
    lines.append(
        f"Resident input: {report.inputs_awaiting_answer} awaiting an answer, "
        f"{report.inputs_overdue} overdue"
    )
    oldest = report.outbox.oldest_pending_at
    lines.append(
        f"Mail outbox: {report.outbox.pending} pending"
        + (f" (oldest {oldest.isoformat(timespec='minutes')})" if oldest else "")
        + f", {report.outbox.failed} failed"
    )
    return lines


def to_json(report: StatusReport) -> dict[str, Any]:
    return report.model_dump(mode="json")
