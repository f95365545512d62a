from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import Page
from schemas.proposals import AnswerCreate, QuestionCreate, QuestionPublic
from service.auth.guards import requires_city, requires_login
from service.auth.identity import CurrentUser
from service.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.questions.services import QuestionService


def provide_question_service(db_session: NamedDependency[AsyncSession]) -> QuestionService:
    return QuestionService(db_session)


class QuestionController(Controller):
    path = "/api"
    tags = ["questions"]
    dependencies = {"questions": Provide(provide_question_service, sync_to_thread=False)}

    @post(
        "/challenges/{challenge_id:int}/questions",
        guards=[requires_login],
        summary="Ask a public question while the call is open",
    )
    async def ask(
        self,
        challenge_id: FromPath[int],
        data: JSONBody[QuestionCreate],
        questions: NamedDependency[QuestionService],
        user: NamedDependency[CurrentUser],
    ) -> QuestionPublic:
        return await questions.ask(challenge_id, data.body, user)

    @get("/challenges/{challenge_id:int}/questions", summary="Questions and answers, oldest first")
    async def list_questions(
        self,
        challenge_id: FromPath[int],
        questions: NamedDependency[QuestionService],
        viewer: NamedDependency[CurrentUser | None],
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> Page[QuestionPublic]:
        return await questions.page(challenge_id, viewer, cursor, limit)

    @post(
        "/questions/{question_id:int}/answer",
        guards=[requires_city],
        status_code=200,
        summary="Answer a question publicly (again to correct the answer)",
    )
    async def answer(
        self,
        question_id: FromPath[int],
        data: JSONBody[AnswerCreate],
        questions: NamedDependency[QuestionService],
        user: NamedDependency[CurrentUser],
    ) -> QuestionPublic:
        return await questions.answer(question_id, data.body, user)
