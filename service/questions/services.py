"""Public questions about a challenge, and the city's public answers."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, Page
from schemas.proposals import QuestionPublic
from service.auth.identity import CurrentUser
from service.auth.verification import require_confirmed_email
from service.challenges.models import Challenge
from service.challenges.queries import published_challenge, visible_challenge
from service.challenges.rules import city_contacts
from service.clock import utcnow
from service.errors import NotFound, PhaseConflict
from service.notifications import messages
from service.notifications.commands import notify
from service.pagination import paginate
from service.questions.models import Question


class QuestionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _public_challenge(self, challenge_id: int) -> Challenge:
        return await published_challenge(self.session, challenge_id)

    async def ask(self, challenge_id: int, body: str, asker: CurrentUser) -> QuestionPublic:
        require_confirmed_email(asker)
        challenge = await self._public_challenge(challenge_id)
        if challenge.phase != ChallengePhase.OPEN:
            raise PhaseConflict(
                "the challenge",
                challenge.phase,
                "questions can be asked only while the call is open",
            )
        question = Question(challenge_id=challenge_id, asked_by_id=asker.id, body=body)
        self.session.add(question)
        await self.session.flush()
        await notify(
            self.session,
            city_contacts(challenge),
            messages.question_asked(
                question_id=question.id,
                challenge_id=challenge_id,
                challenge=challenge.title,
                question=body,
            ),
        )
        await self.session.commit()
        return QuestionPublic.model_validate(question)

    async def answer(self, question_id: int, body: str, city: CurrentUser) -> QuestionPublic:
        question = await self.session.get(Question, question_id)
        if question is None:
            raise NotFound(f"no question {question_id}")
        challenge = await self.session.get(Challenge, question.challenge_id)
        assert challenge is not None
        if challenge.phase == ChallengePhase.CANCELLED:
            raise PhaseConflict("the challenge", challenge.phase, "it was cancelled")
        question.answer = body
        question.answered_by_id = city.id
        question.answered_at = utcnow()
        self.session.add(question)
        await notify(
            self.session,
            [question.asked_by_id],
            messages.question_answered(
                question_id=question.id,
                challenge_id=challenge.id,  # type: ignore[arg-type]
                challenge=challenge.title,
                question=question.body,
                answer=body,
            ),
        )
        await self.session.commit()
        return QuestionPublic.model_validate(question)

    async def page(
        self, challenge_id: int, viewer: CurrentUser | None, cursor: str | None, limit: int
    ) -> Page[QuestionPublic]:
        await visible_challenge(self.session, challenge_id, viewer)
        statement = select(Question).where(Question.challenge_id == challenge_id)
        rows, next_cursor = await paginate(
            self.session, statement, Question.id, cursor, limit, newest_first=False
        )
        return Page(items=[QuestionPublic.model_validate(q) for q in rows], next_cursor=next_cursor)
