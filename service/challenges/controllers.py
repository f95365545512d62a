from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.challenges import (
    CancelRequest,
    ChallengeCreate,
    ChallengeListItem,
    ChallengePublic,
    ChallengeUpdate,
)
from schemas.common import ChallengePhase, Page
from service.auth.guards import requires_city
from service.auth.identity import CurrentUser
from service.challenges.services import ChallengeService
from service.http.openapi import refusals
from service.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.workflow_gateway import WorkflowGateway


def provide_challenge_service(
    db_session: NamedDependency[AsyncSession], workflow_gateway: NamedDependency[WorkflowGateway]
) -> ChallengeService:
    return ChallengeService(db_session, workflow_gateway)


class ChallengeController(Controller):
    path = "/api/challenges"
    tags = ["challenges"]
    dependencies = {"challenges": Provide(provide_challenge_service, sync_to_thread=False)}

    @post("/", guards=[requires_city], summary="Create a draft challenge")
    async def create(
        self,
        data: JSONBody[ChallengeCreate],
        challenges: NamedDependency[ChallengeService],
        user: NamedDependency[CurrentUser],
    ) -> ChallengePublic:
        return await challenges.create(data, user)

    @get("/", summary="List challenges, newest first (drafts for the city only)")
    async def list_challenges(
        self,
        challenges: NamedDependency[ChallengeService],
        viewer: NamedDependency[CurrentUser | None],
        phase: FromQuery[ChallengePhase | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> Page[ChallengeListItem]:
        return await challenges.page(viewer, phase, cursor, limit)

    @get("/{challenge_id:int}", summary="A challenge with its rules, timeline and pilots")
    async def read(
        self,
        challenge_id: FromPath[int],
        challenges: NamedDependency[ChallengeService],
        viewer: NamedDependency[CurrentUser | None],
    ) -> ChallengePublic:
        return await challenges.read(challenge_id, viewer)

    @patch(
        "/{challenge_id:int}",
        guards=[requires_city],
        summary="Edit a draft",
        responses=refusals(409),  # published already
    )
    async def update(
        self,
        challenge_id: FromPath[int],
        data: JSONBody[ChallengeUpdate],
        challenges: NamedDependency[ChallengeService],
        user: NamedDependency[CurrentUser],
    ) -> ChallengePublic:
        return await challenges.update(challenge_id, data, user)

    @post(
        "/{challenge_id:int}/publish",
        guards=[requires_city],
        status_code=200,
        summary="Freeze the rules and open the call (idempotent)",
    )
    async def publish(
        self,
        challenge_id: FromPath[int],
        challenges: NamedDependency[ChallengeService],
        user: NamedDependency[CurrentUser],
    ) -> ChallengePublic:
        return await challenges.publish(challenge_id, user)

    @post(
        "/{challenge_id:int}/cancel",
        guards=[requires_city],
        status_code=200,
        summary="End the challenge in any phase, with a reason",
    )
    async def cancel(
        self,
        challenge_id: FromPath[int],
        data: JSONBody[CancelRequest],
        challenges: NamedDependency[ChallengeService],
        user: NamedDependency[CurrentUser],
    ) -> ChallengePublic:
        return await challenges.cancel(challenge_id, data.reason, user)
