"""The city's side of resident input: answering publicly, marking it under
consideration, hiding it with a reason its author sees, and restoring it."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.residents import InputPublic, InputStatus
from service.auth.identity import CurrentUser
from service.challenges.models import Challenge
from service.clock import utcnow
from service.errors import Conflict, NotFound
from service.notifications import messages
from service.notifications.commands import notify
from service.residents.models import ResidentInput
from service.residents.services import to_public


class ModerationService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _input(self, input_id: int) -> tuple[ResidentInput, Challenge]:
        resident_input = await self.session.get(ResidentInput, input_id)
        if resident_input is None:
            raise NotFound(f"no input {input_id}")
        challenge = await self.session.get(Challenge, resident_input.challenge_id)
        assert challenge is not None
        return resident_input, challenge

    async def respond(self, input_id: int, body: str, city: CurrentUser) -> InputPublic:
        """Answer publicly; answering again corrects the answer (its author is told
        once, and the time to answer stays the first answer's)."""
        resident_input, challenge = await self._input(input_id)
        if resident_input.status == InputStatus.HIDDEN:
            raise Conflict("this input is hidden: restore it before answering it")
        now = utcnow()
        if resident_input.answered_at is None:
            resident_input.answered_at = now
        resident_input.response_body = body
        resident_input.response_updated_at = now
        resident_input.answered_by_id = city.id
        resident_input.status = InputStatus.ANSWERED
        self.session.add(resident_input)
        await notify(
            self.session,
            [resident_input.author_id],
            messages.input_answered(
                input_id=input_id,
                challenge_id=challenge.id,
                pilot_id=resident_input.pilot_id,
                challenge=challenge.title,
                said=resident_input.body,
                answer=body,
            ),
        )
        await self.session.commit()
        return to_public(resident_input, city)

    async def consider(self, input_id: int, city: CurrentUser) -> InputPublic:
        resident_input, challenge = await self._input(input_id)
        if resident_input.status == InputStatus.UNDER_CONSIDERATION:
            return to_public(resident_input, city)
        if resident_input.status != InputStatus.RECEIVED:
            raise Conflict(
                f"this input is {resident_input.status}: only input just received can be "
                "marked under consideration"
            )
        resident_input.status = InputStatus.UNDER_CONSIDERATION
        resident_input.considered_at = utcnow()
        self.session.add(resident_input)
        await notify(
            self.session,
            [resident_input.author_id],
            messages.input_under_consideration(
                input_id=input_id,
                challenge_id=challenge.id,
                pilot_id=resident_input.pilot_id,
                challenge=challenge.title,
                said=resident_input.body,
            ),
        )
        await self.session.commit()
        return to_public(resident_input, city)

    async def hide(self, input_id: int, reason: str, city: CurrentUser) -> InputPublic:
        resident_input, challenge = await self._input(input_id)
        if resident_input.status == InputStatus.HIDDEN:
            raise Conflict("this input is already hidden")
        now = utcnow()
        resident_input.status = InputStatus.HIDDEN
        resident_input.hidden_reason = reason
        resident_input.hidden_at = now
        resident_input.hidden_by_id = city.id
        self.session.add(resident_input)
        await notify(
            self.session,
            [resident_input.author_id],
            messages.input_hidden(
                input_id=input_id,
                hidden_at=now,
                challenge_id=challenge.id,
                pilot_id=resident_input.pilot_id,
                challenge=challenge.title,
                said=resident_input.body,
                reason=reason,
            ),
        )
        await self.session.commit()
        return to_public(resident_input, city)

    async def restore(self, input_id: int, city: CurrentUser) -> InputPublic:
        """Show a hidden input again, with the status it had before."""
        resident_input, _ = await self._input(input_id)
        if resident_input.status != InputStatus.HIDDEN:
            raise Conflict(f"this input is {resident_input.status}, not hidden")
        if resident_input.answered_at is not None:
            resident_input.status = InputStatus.ANSWERED
        elif resident_input.considered_at is not None:
            resident_input.status = InputStatus.UNDER_CONSIDERATION
        else:
            resident_input.status = InputStatus.RECEIVED
        resident_input.hidden_reason = None
        resident_input.hidden_at = None
        resident_input.hidden_by_id = None
        self.session.add(resident_input)
        await self.session.commit()
        return to_public(resident_input, city)
