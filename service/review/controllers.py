from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.challenges import ChallengePublic
from schemas.common import PublicSchema, Role
from schemas.proposals import ProposalPublic
from schemas.review import (
    AssignEvaluatorsRequest,
    AssignmentPublic,
    ConflictRequest,
    InfoAnswerCreate,
    InfoRequestCreate,
    InfoRequestPublic,
    MyAssignment,
    ProposalEventPublic,
    Ranking,
    ScoresRequest,
    ScreeningRequest,
    ShortlistRequest,
)
from service.auth.guards import requires_city, requires_evaluator, requires_role, requires_startup
from service.auth.identity import CurrentUser
from service.http.openapi import refusals
from service.proposals.services import ProposalService
from service.review.assignments import AssignmentService
from service.review.screening import ScreeningService
from service.review.selection import SelectionService
from service.workflow_gateway import WorkflowGateway


class AssignmentList(PublicSchema):
    items: list[AssignmentPublic]
    next_cursor: str | None = None


class MyAssignmentList(PublicSchema):
    items: list[MyAssignment]
    next_cursor: str | None = None


class ProposalHistory(PublicSchema):
    events: list[ProposalEventPublic]
    info_requests: list[InfoRequestPublic]


def provide_screening(
    db_session: NamedDependency[AsyncSession], workflow_gateway: NamedDependency[WorkflowGateway]
) -> ScreeningService:
    return ScreeningService(db_session, workflow_gateway)


def provide_assignments(
    db_session: NamedDependency[AsyncSession], workflow_gateway: NamedDependency[WorkflowGateway]
) -> AssignmentService:
    return AssignmentService(db_session, workflow_gateway)


def provide_selection(
    db_session: NamedDependency[AsyncSession], workflow_gateway: NamedDependency[WorkflowGateway]
) -> SelectionService:
    return SelectionService(db_session, workflow_gateway)


class ScreeningController(Controller):
    path = "/api"
    tags = ["review"]
    dependencies = {"screening": Provide(provide_screening, sync_to_thread=False)}

    @post(
        "/proposals/{proposal_id:int}/screening",
        guards=[requires_city],
        status_code=200,
        summary="Mark a proposal eligible or not (with the reason the startup will see)",
    )
    async def screen(
        self,
        proposal_id: FromPath[int],
        data: JSONBody[ScreeningRequest],
        screening: NamedDependency[ScreeningService],
        user: NamedDependency[CurrentUser],
    ) -> ProposalPublic:
        proposal = await screening.screen(proposal_id, data.eligible, data.reason, user)
        return await ProposalService(screening.session).to_public(proposal, user)

    @post(
        "/proposals/{proposal_id:int}/info-requests",
        guards=[requires_city],
        summary="Ask the startup for more information, with a reply deadline",
    )
    async def request_information(
        self,
        proposal_id: FromPath[int],
        data: JSONBody[InfoRequestCreate],
        screening: NamedDependency[ScreeningService],
        user: NamedDependency[CurrentUser],
    ) -> InfoRequestPublic:
        return await screening.request_information(
            proposal_id, data.question, data.reply_deadline, user
        )

    @post(
        "/info-requests/{request_id:int}/answer",
        guards=[requires_startup],
        status_code=200,
        summary="The startup answers a request for information before its deadline",
    )
    async def answer_information(
        self,
        request_id: FromPath[int],
        data: JSONBody[InfoAnswerCreate],
        screening: NamedDependency[ScreeningService],
        user: NamedDependency[CurrentUser],
    ) -> InfoRequestPublic:
        return await screening.answer_information(request_id, data.body, user)

    @get(
        "/proposals/{proposal_id:int}/history",
        guards=[requires_role(Role.CITY, Role.STARTUP)],
        summary="A proposal's screening history: decisions, requests and replies",
    )
    async def history(
        self,
        proposal_id: FromPath[int],
        screening: NamedDependency[ScreeningService],
        user: NamedDependency[CurrentUser],
    ) -> ProposalHistory:
        events, requests = await screening.history(proposal_id, user)
        return ProposalHistory(events=events, info_requests=requests)


class AssignmentController(Controller):
    path = "/api"
    tags = ["review"]
    dependencies = {"assignments": Provide(provide_assignments, sync_to_thread=False)}

    @post(
        "/challenges/{challenge_id:int}/evaluators",
        guards=[requires_city],
        status_code=200,
        summary="Add evaluators and assign them to the eligible proposals (balanced)",
    )
    async def assign(
        self,
        challenge_id: FromPath[int],
        data: JSONBody[AssignEvaluatorsRequest],
        assignments: NamedDependency[AssignmentService],
        user: NamedDependency[CurrentUser],
    ) -> AssignmentList:
        items = await assignments.assign(challenge_id, data.evaluator_ids, data.per_proposal, user)
        return AssignmentList(items=items)

    @get(
        "/challenges/{challenge_id:int}/assignments",
        guards=[requires_city],
        summary="Review progress per assignment (no scores)",
    )
    async def list_for_city(
        self,
        challenge_id: FromPath[int],
        assignments: NamedDependency[AssignmentService],
    ) -> AssignmentList:
        return AssignmentList(items=await assignments.list_for_city(challenge_id))

    @get(
        "/me/assignments",
        guards=[requires_evaluator],
        summary="The evaluator's own assignments, with the proposals and their own scores",
    )
    async def mine(
        self,
        assignments: NamedDependency[AssignmentService],
        user: NamedDependency[CurrentUser],
    ) -> MyAssignmentList:
        return MyAssignmentList(items=await assignments.mine(user))

    @get("/assignments/{assignment_id:int}", guards=[requires_evaluator], summary="One assignment")
    async def read(
        self,
        assignment_id: FromPath[int],
        assignments: NamedDependency[AssignmentService],
        user: NamedDependency[CurrentUser],
    ) -> MyAssignment:
        return await assignments.read(assignment_id, user)

    @post(
        "/assignments/{assignment_id:int}/conflict",
        guards=[requires_evaluator],
        status_code=200,
        summary="Declare a conflict of interest: the assignment goes to someone else",
    )
    async def declare_conflict(
        self,
        assignment_id: FromPath[int],
        data: JSONBody[ConflictRequest],
        assignments: NamedDependency[AssignmentService],
        user: NamedDependency[CurrentUser],
    ) -> MyAssignment:
        return await assignments.declare_conflict(assignment_id, data.reason, user)

    @put(
        "/assignments/{assignment_id:int}/scores",
        guards=[requires_evaluator],
        summary="Score each criterion 0-10 with a comment; revise until the review closes",
        responses=refusals(409),  # only during the review
    )
    async def score(
        self,
        assignment_id: FromPath[int],
        data: JSONBody[ScoresRequest],
        assignments: NamedDependency[AssignmentService],
        user: NamedDependency[CurrentUser],
    ) -> MyAssignment:
        return await assignments.score(assignment_id, data.scores, user)


class SelectionController(Controller):
    path = "/api/challenges/{challenge_id:int}"
    tags = ["review"]
    guards = [requires_city]
    dependencies = {"selection": Provide(provide_selection, sync_to_thread=False)}

    @get(
        "/ranking",
        summary="Weighted and evaluator-normalised ranking; ?weights=Impact:40,Cost:60 "
        "shows the order under other weights without changing the rules",
        responses=refusals(409),  # no ranking before the review
    )
    async def ranking(
        self,
        challenge_id: FromPath[int],
        selection: NamedDependency[SelectionService],
        weights: FromQuery[str | None] = None,
    ) -> Ranking:
        return await selection.ranking(challenge_id, weights)

    @post(
        "/shortlist",
        status_code=200,
        summary="Approve the shortlist: at most max_pilots eligible, scored proposals",
    )
    async def shortlist(
        self,
        challenge_id: FromPath[int],
        data: JSONBody[ShortlistRequest],
        selection: NamedDependency[SelectionService],
        user: NamedDependency[CurrentUser],
    ) -> ChallengePublic:
        return await selection.approve_shortlist(challenge_id, data.proposal_ids, data.reason, user)
