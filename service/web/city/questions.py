"""The city answers a public question, on the challenge's public page where it was
asked (the API's ``POST /api/questions/{id}/answer``, as a form)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.proposals import AnswerCreate
from service.auth.identity import CurrentUser
from service.challenges.services import ChallengeService
from service.errors import Conflict, NotFound
from service.questions.models import Question
from service.questions.services import QuestionService
from service.residents.services import InputService
from service.web.forms import FORM, Form, FormInvalid, read_form, validate
from service.web.i18n import N_
from service.web.public import challenge_page_with
from service.web.rendering import gettext_for, see_other
from service.web.session import flash

MISSING_ANSWER = {"body": N_("Write the answer: it is published with the question.")}


@post("/questions/{question_id:int}/answer", name="city.question_answer", status_code=303)
async def answer_question(
    request: Request[Any, Any, Any],
    question_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_inputs: NamedDependency[InputService],
    db_session: NamedDependency[AsyncSession],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    _ = gettext_for(request)
    question = await db_session.get(Question, question_id)
    if question is None:
        raise NotFound(f"no question {question_id}")
    challenge_id = question.challenge_id
    values = await read_form(request)
    form = Form({"body": values.get("body", "")})
    status_code = 422
    try:
        data = validate(AnswerCreate, form.values, _, MISSING_ANSWER)
        await QuestionService(db_session).answer(question_id, data.body, user)
    except FormInvalid as invalid:
        form.errors = invalid.errors
    except Conflict as exc:
        form.errors, status_code = {FORM: _(str(exc.detail))}, 409
    else:
        flash(request, "Your answer is published; whoever asked is told.")
        return see_other(f"/challenges/{challenge_id}#question-{question_id}")
    return await challenge_page_with(
        request,
        challenge_id,
        city_challenges,
        city_inputs,
        db_session,
        user,
        status_code=status_code,
        answer=form,
        answering=question_id,
    )


question_handlers = [answer_question]
