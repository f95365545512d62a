from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.pilots import (
    AddPilotRequest,
    AgreementRequest,
    DecisionRequest,
    DeclineRequest,
    KpiReportCreate,
    KpiReportPublic,
    MilestoneCompletion,
    PilotEvaluationRequest,
    PilotEvaluatorsRequest,
    PilotPublic,
)
from service.auth.guards import requires_city, requires_evaluator, requires_startup
from service.auth.identity import CurrentUser
from service.http.openapi import refusals
from service.pilots.services import PilotService
from service.pilots.views import PilotView
from service.workflow_gateway import WorkflowGateway


def provide_pilot_service(
    db_session: NamedDependency[AsyncSession], workflow_gateway: NamedDependency[WorkflowGateway]
) -> PilotService:
    return PilotService(db_session, workflow_gateway)


def provide_pilot_view(db_session: NamedDependency[AsyncSession]) -> PilotView:
    return PilotView(db_session)


class PilotController(Controller):
    path = "/api"
    tags = ["pilots"]
    dependencies = {
        "pilots": Provide(provide_pilot_service, sync_to_thread=False),
        "pilot_view": Provide(provide_pilot_view, sync_to_thread=False),
    }

    @get("/pilots/{pilot_id:int}", summary="A pilot: agreement, milestones, KPI results, decisions")
    async def read(
        self,
        pilot_id: FromPath[int],
        pilot_view: NamedDependency[PilotView],
        viewer: NamedDependency[CurrentUser | None],
    ) -> PilotPublic:
        return await pilot_view.read(pilot_id, viewer)

    @post(
        "/pilots/{pilot_id:int}/agreement",
        guards=[requires_city],
        status_code=200,
        summary="Set the agreement: dates, budget within the cap, milestones",
    )
    async def set_agreement(
        self,
        pilot_id: FromPath[int],
        data: JSONBody[AgreementRequest],
        pilots: NamedDependency[PilotService],
        user: NamedDependency[CurrentUser],
    ) -> PilotPublic:
        return await pilots.set_agreement(pilot_id, data, user)

    @post(
        "/pilots/{pilot_id:int}/accept",
        guards=[requires_startup],
        status_code=200,
        summary="The startup accepts the agreement; the pilot runs from its start date",
    )
    async def accept(
        self,
        pilot_id: FromPath[int],
        pilots: NamedDependency[PilotService],
        user: NamedDependency[CurrentUser],
    ) -> PilotPublic:
        return await pilots.accept(pilot_id, user)

    @post(
        "/pilots/{pilot_id:int}/decline",
        guards=[requires_startup],
        status_code=200,
        summary="The startup declines the agreement; the slot is freed and the city told",
    )
    async def decline(
        self,
        pilot_id: FromPath[int],
        data: JSONBody[DeclineRequest],
        pilots: NamedDependency[PilotService],
        user: NamedDependency[CurrentUser],
    ) -> PilotPublic:
        return await pilots.decline(pilot_id, data.reason, user)

    @post(
        "/pilots/{pilot_id:int}/milestones/{milestone_id:int}/complete",
        guards=[requires_startup],
        status_code=200,
        summary="Mark a milestone complete",
    )
    async def complete_milestone(
        self,
        pilot_id: FromPath[int],
        milestone_id: FromPath[int],
        pilots: NamedDependency[PilotService],
        user: NamedDependency[CurrentUser],
        data: JSONBody[MilestoneCompletion | None] = None,
    ) -> PilotPublic:
        note = data.note if data else ""
        return await pilots.complete_milestone(pilot_id, milestone_id, note, user)

    @post(
        "/pilots/{pilot_id:int}/kpi-reports",
        guards=[requires_startup],
        summary="File a KPI report: a value per KPI and a note",
    )
    async def report_kpis(
        self,
        pilot_id: FromPath[int],
        data: JSONBody[KpiReportCreate],
        pilots: NamedDependency[PilotService],
        user: NamedDependency[CurrentUser],
    ) -> KpiReportPublic:
        return await pilots.report_kpis(pilot_id, data, user)

    @post(
        "/pilots/{pilot_id:int}/evaluators",
        guards=[requires_city],
        status_code=200,
        summary="Choose the pilot's evaluators (by default the challenge's)",
    )
    async def set_evaluators(
        self,
        pilot_id: FromPath[int],
        data: JSONBody[PilotEvaluatorsRequest],
        pilots: NamedDependency[PilotService],
        user: NamedDependency[CurrentUser],
    ) -> PilotPublic:
        return await pilots.set_evaluators(pilot_id, data.evaluator_ids, user)

    @put(
        "/pilots/{pilot_id:int}/evaluation",
        guards=[requires_evaluator],
        summary="Score the ended pilot 0-10 with a comment",
        responses=refusals(409),  # only while the pilot is evaluated
    )
    async def evaluate(
        self,
        pilot_id: FromPath[int],
        data: JSONBody[PilotEvaluationRequest],
        pilots: NamedDependency[PilotService],
        user: NamedDependency[CurrentUser],
    ) -> PilotPublic:
        return await pilots.evaluate(pilot_id, data.score, data.comment, user)

    @post(
        "/pilots/{pilot_id:int}/decision",
        guards=[requires_city],
        status_code=200,
        summary="scale_up (with a plan), extend (new end date, at most twice) or stop",
    )
    async def decide(
        self,
        pilot_id: FromPath[int],
        data: JSONBody[DecisionRequest],
        pilots: NamedDependency[PilotService],
        user: NamedDependency[CurrentUser],
    ) -> PilotPublic:
        return await pilots.decide(pilot_id, data, user)

    @post(
        "/challenges/{challenge_id:int}/pilots",
        guards=[requires_city],
        summary="Give a freed pilot slot to another eligible, scored proposal",
    )
    async def add_pilot(
        self,
        challenge_id: FromPath[int],
        data: JSONBody[AddPilotRequest],
        pilots: NamedDependency[PilotService],
        user: NamedDependency[CurrentUser],
    ) -> PilotPublic:
        return await pilots.add_pilot(challenge_id, data.proposal_id, user)
