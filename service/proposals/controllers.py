from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import Page, Role
from schemas.proposals import ProposalCreate, ProposalPublic, ProposalUpdate
from service.auth.guards import requires_login, requires_role, requires_startup
from service.auth.identity import CurrentUser
from service.http.openapi import refusals
from service.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.proposals.services import ProposalService


def provide_proposal_service(db_session: NamedDependency[AsyncSession]) -> ProposalService:
    return ProposalService(db_session)


class ProposalController(Controller):
    path = "/api"
    tags = ["proposals"]
    dependencies = {"proposals": Provide(provide_proposal_service, sync_to_thread=False)}

    @post(
        "/challenges/{challenge_id:int}/proposals",
        guards=[requires_startup],
        summary="Submit a proposal while the call is open",
    )
    async def submit(
        self,
        challenge_id: FromPath[int],
        data: JSONBody[ProposalCreate],
        proposals: NamedDependency[ProposalService],
        user: NamedDependency[CurrentUser],
    ) -> ProposalPublic:
        return await proposals.submit(challenge_id, data, user)

    @get(
        "/challenges/{challenge_id:int}/proposals",
        guards=[requires_role(Role.CITY, Role.STARTUP, Role.EVALUATOR)],
        summary="The proposals the caller may see: all (city), its own (startup)",
    )
    async def list_for_challenge(
        self,
        challenge_id: FromPath[int],
        proposals: NamedDependency[ProposalService],
        user: NamedDependency[CurrentUser],
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> Page[ProposalPublic]:
        return await proposals.list_for_challenge(challenge_id, user, cursor, limit)

    @get("/me/proposals", guards=[requires_startup], summary="The startup's own proposals")
    async def list_mine(
        self,
        proposals: NamedDependency[ProposalService],
        user: NamedDependency[CurrentUser],
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> Page[ProposalPublic]:
        return await proposals.list_mine(user, cursor, limit)

    @get(
        "/proposals/{proposal_id:int}",
        guards=[requires_login],
        summary="One proposal",
        responses=refusals(403),  # for the city, its author and its evaluators
    )
    async def read(
        self,
        proposal_id: FromPath[int],
        proposals: NamedDependency[ProposalService],
        user: NamedDependency[CurrentUser],
    ) -> ProposalPublic:
        return await proposals.read(proposal_id, user)

    @patch(
        "/proposals/{proposal_id:int}",
        guards=[requires_startup],
        summary="Edit one's own proposal while the call is open",
        responses=refusals(409),
    )
    async def update(
        self,
        proposal_id: FromPath[int],
        data: JSONBody[ProposalUpdate],
        proposals: NamedDependency[ProposalService],
        user: NamedDependency[CurrentUser],
    ) -> ProposalPublic:
        return await proposals.update(proposal_id, data, user)

    @post(
        "/proposals/{proposal_id:int}/withdraw",
        guards=[requires_startup],
        status_code=200,
        summary="Withdraw one's own proposal while the call is open",
    )
    async def withdraw(
        self,
        proposal_id: FromPath[int],
        proposals: NamedDependency[ProposalService],
        user: NamedDependency[CurrentUser],
    ) -> ProposalPublic:
        return await proposals.withdraw(proposal_id, user)
