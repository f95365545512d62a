from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import DB_INT_MAX, Page
from schemas.residents import (
    EndorsementPublic,
    EngagementPublic,
    FollowedChallenge,
    FollowPublic,
    HideRequest,
    InputCreate,
    InputPublic,
    InputStage,
    InputStatus,
    ReportCreate,
    ReportPublic,
    ResponseCreate,
)
from service.auth.guards import requires_city, requires_resident
from service.auth.identity import CurrentUser
from service.http.openapi import refusals
from service.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.residents.engagement import challenge_engagement
from service.residents.follows import FollowService
from service.residents.moderation import ModerationService
from service.residents.ratelimit import Limits
from service.residents.rules import working_calendar
from service.residents.services import InputService

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)]


def provide_input_service(db_session: NamedDependency[AsyncSession], state: State) -> InputService:
    settings = state.settings
    return InputService(db_session, Limits.from_settings(settings), working_calendar(settings))


def provide_follow_service(db_session: NamedDependency[AsyncSession]) -> FollowService:
    return FollowService(db_session)


def provide_moderation_service(db_session: NamedDependency[AsyncSession]) -> ModerationService:
    return ModerationService(db_session)


class ResidentController(Controller):
    """Following, giving input, endorsing and reporting (residents), reading (anyone)."""

    path = "/api"
    tags = ["residents"]
    dependencies = {
        "inputs": Provide(provide_input_service, sync_to_thread=False),
        "follows": Provide(provide_follow_service, sync_to_thread=False),
    }

    @post(
        "/challenges/{challenge_id:int}/follow",
        guards=[requires_resident],
        status_code=200,
        summary="Follow a challenge: be told of every phase, pilot and decision",
    )
    async def follow(
        self,
        challenge_id: FromPath[int],
        follows: NamedDependency[FollowService],
        user: NamedDependency[CurrentUser],
    ) -> FollowPublic:
        return await follows.follow(challenge_id, user)

    @delete(
        "/challenges/{challenge_id:int}/follow",
        guards=[requires_resident],
        status_code=200,
        summary="Stop following a challenge",
    )
    async def unfollow(
        self,
        challenge_id: FromPath[int],
        follows: NamedDependency[FollowService],
        user: NamedDependency[CurrentUser],
    ) -> FollowPublic:
        return await follows.unfollow(challenge_id, user)

    @get("/me/follows", guards=[requires_resident], summary="The challenges I follow")
    async def my_follows(
        self,
        follows: NamedDependency[FollowService],
        user: NamedDependency[CurrentUser],
        cursor: FromQuery[str | None] = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[FollowedChallenge]:
        return await follows.mine(user, cursor, limit)

    @post(
        "/challenges/{challenge_id:int}/inputs",
        guards=[requires_resident],
        summary="Say what you think: on the problem while the call is open, on the "
        "outcome once closed (follows the challenge)",
        responses=refusals(429),
    )
    async def give_input(
        self,
        challenge_id: FromPath[int],
        data: JSONBody[InputCreate],
        inputs: NamedDependency[InputService],
        user: NamedDependency[CurrentUser],
    ) -> InputPublic:
        return await inputs.on_challenge(challenge_id, data, user)

    @post(
        "/pilots/{pilot_id:int}/inputs",
        guards=[requires_resident],
        summary="Say what you think of a running pilot, with an optional 1-5 rating",
        responses=refusals(429),
    )
    async def give_pilot_input(
        self,
        pilot_id: FromPath[int],
        data: JSONBody[InputCreate],
        inputs: NamedDependency[InputService],
        user: NamedDependency[CurrentUser],
    ) -> InputPublic:
        return await inputs.on_pilot(pilot_id, data, user)

    @get(
        "/challenges/{challenge_id:int}/inputs",
        summary="Residents' input with the city's answers, newest first (hidden input "
        "only for its author and the city; reported=true is the city's filter)",
    )
    async def list_inputs(
        self,
        challenge_id: FromPath[int],
        inputs: NamedDependency[InputService],
        viewer: NamedDependency[CurrentUser | None],
        stage: FromQuery[InputStage | None] = None,
        pilot_id: Annotated[int | None, QueryParameter(ge=1, le=DB_INT_MAX)] = None,
        status: FromQuery[InputStatus | None] = None,
        overdue: FromQuery[bool] = False,
        reported: FromQuery[bool] = False,
        cursor: FromQuery[str | None] = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[InputPublic]:
        return await inputs.list_for_challenge(
            challenge_id,
            viewer,
            stage=stage,
            pilot_id=pilot_id,
            status=status,
            overdue=overdue,
            reported=reported,
            cursor=cursor,
            limit=limit,
        )

    @get("/pilots/{pilot_id:int}/inputs", summary="Residents' input on a pilot, newest first")
    async def list_pilot_inputs(
        self,
        pilot_id: FromPath[int],
        inputs: NamedDependency[InputService],
        viewer: NamedDependency[CurrentUser | None],
        cursor: FromQuery[str | None] = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[InputPublic]:
        return await inputs.list_for_pilot(pilot_id, viewer, cursor, limit)

    @get("/inputs/{input_id:int}", summary="One input with the city's answer")
    async def read_input(
        self,
        input_id: FromPath[int],
        inputs: NamedDependency[InputService],
        viewer: NamedDependency[CurrentUser | None],
    ) -> InputPublic:
        return await inputs.read(input_id, viewer)

    @get(
        "/me/inputs",
        guards=[requires_resident],
        summary="My input, hidden input included with the city's reason",
    )
    async def my_inputs(
        self,
        inputs: NamedDependency[InputService],
        user: NamedDependency[CurrentUser],
        cursor: FromQuery[str | None] = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[InputPublic]:
        return await inputs.list_mine(user, cursor, limit)

    @post(
        "/inputs/{input_id:int}/endorse",
        guards=[requires_resident],
        status_code=200,
        summary="Endorse another resident's input (once)",
        responses=refusals(429),
    )
    async def endorse(
        self,
        input_id: FromPath[int],
        inputs: NamedDependency[InputService],
        user: NamedDependency[CurrentUser],
    ) -> EndorsementPublic:
        return await inputs.endorse(input_id, user)

    @post(
        "/inputs/{input_id:int}/report",
        guards=[requires_resident],
        status_code=200,
        summary="Tell the city an input breaks the rules (once)",
        responses=refusals(429),
    )
    async def report(
        self,
        input_id: FromPath[int],
        data: JSONBody[ReportCreate],
        inputs: NamedDependency[InputService],
        user: NamedDependency[CurrentUser],
    ) -> ReportPublic:
        return await inputs.report(input_id, data.reason, user)

    @get(
        "/challenges/{challenge_id:int}/engagement",
        summary="Public engagement figures: input counts, share answered, median time to "
        "answer, rating summary per pilot",
    )
    async def engagement(
        self,
        challenge_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[CurrentUser | None],
    ) -> EngagementPublic:
        return await challenge_engagement(db_session, challenge_id, viewer)


class InputModerationController(Controller):
    """The city answers, considers, hides and restores resident input."""

    path = "/api/inputs/{input_id:int}"
    tags = ["residents"]
    guards = [requires_city]
    dependencies = {"moderation": Provide(provide_moderation_service, sync_to_thread=False)}

    @post(
        "/response",
        status_code=200,
        summary="Answer an input publicly (again to correct the answer)",
    )
    async def respond(
        self,
        input_id: FromPath[int],
        data: JSONBody[ResponseCreate],
        moderation: NamedDependency[ModerationService],
        user: NamedDependency[CurrentUser],
    ) -> InputPublic:
        return await moderation.respond(input_id, data.body, user)

    @post("/consider", status_code=200, summary="Mark an input under consideration")
    async def consider(
        self,
        input_id: FromPath[int],
        moderation: NamedDependency[ModerationService],
        user: NamedDependency[CurrentUser],
    ) -> InputPublic:
        return await moderation.consider(input_id, user)

    @post("/hide", status_code=200, summary="Hide an input, with a reason its author sees")
    async def hide(
        self,
        input_id: FromPath[int],
        data: JSONBody[HideRequest],
        moderation: NamedDependency[ModerationService],
        user: NamedDependency[CurrentUser],
    ) -> InputPublic:
        return await moderation.hide(input_id, data.reason, user)

    @post("/restore", status_code=200, summary="Show a hidden input again")
    async def restore(
        self,
        input_id: FromPath[int],
        moderation: NamedDependency[ModerationService],
        user: NamedDependency[CurrentUser],
    ) -> InputPublic:
        return await moderation.restore(input_id, user)
