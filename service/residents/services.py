"""Residents' side: giving input, endorsing and reporting it, and reading input back
(hidden input only for its author and the city)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, Page, PilotStatus, Role
from schemas.residents import (
    OPEN_INPUT_STATUSES,
    EndorsementPublic,
    InputCreate,
    InputPublic,
    InputResponse,
    InputStage,
    InputStatus,
    ReportPublic,
)
from service.auth.identity import CurrentUser
from service.auth.verification import require_confirmed_email
from service.challenges.models import Challenge
from service.clock import utcnow
from service.db.upsert import insert_missing, table_of
from service.errors import Conflict, FieldError, NotFound, PhaseConflict
from service.pagination import paginate
from service.pilots.models import Pilot
from service.residents.access import is_city, public_challenge
from service.residents.announcements import tell_city_of_input, tell_city_of_report
from service.residents.follows import follow
from service.residents.models import Endorsement, InputReport, ResidentInput
from service.residents.ratelimit import Limit, Limits, count_action
from service.residents.rules import WorkingCalendar, respond_by


def can_see(resident_input: ResidentInput, viewer: CurrentUser | None) -> bool:
    if resident_input.status != InputStatus.HIDDEN or is_city(viewer):
        return True
    return viewer is not None and viewer.id == resident_input.author_id


def to_public(
    resident_input: ResidentInput, viewer: CurrentUser | None, endorsed: bool = False
) -> InputPublic:
    """What ``viewer`` may see of an input: the author's identity and the reports are
    the city's to see; why it was hidden, the author's and the city's."""
    assert resident_input.id is not None
    mine = viewer is not None and viewer.id == resident_input.author_id
    city = is_city(viewer)
    response = None
    if resident_input.response_body is not None and resident_input.answered_at is not None:
        response = InputResponse(
            body=resident_input.response_body,
            answered_at=resident_input.answered_at,
            updated_at=resident_input.response_updated_at or resident_input.answered_at,
        )
    return InputPublic(
        id=resident_input.id,
        challenge_id=resident_input.challenge_id,
        pilot_id=resident_input.pilot_id,
        stage=InputStage(resident_input.stage),
        body=resident_input.body,
        rating=resident_input.rating,
        status=InputStatus(resident_input.status),
        endorsement_count=resident_input.endorsement_count,
        created_at=resident_input.created_at,
        respond_by=resident_input.respond_by,
        response=response,
        mine=mine,
        endorsed_by_me=endorsed,
        hidden_reason=resident_input.hidden_reason if (mine or city) else None,
        author_id=resident_input.author_id if city else None,
        report_count=resident_input.report_count if city else None,
    )


class InputService:
    def __init__(
        self, session: AsyncSession, limits: Limits, calendar: WorkingCalendar | None = None
    ) -> None:
        self.session = session
        self.limits = limits
        self.calendar = calendar or WorkingCalendar()

    # -- giving input ------------------------------------------------------------------

    async def on_challenge(
        self, challenge_id: int, data: InputCreate, author: CurrentUser
    ) -> InputPublic:
        challenge = await public_challenge(self.session, challenge_id)
        now = utcnow()
        if challenge.phase == ChallengePhase.OPEN:
            if now >= challenge.proposals_close_at:
                raise PhaseConflict(
                    "the challenge",
                    challenge.phase,
                    f"input on the problem closed with the call at "
                    f"{challenge.proposals_close_at.isoformat()}",
                )
            stage = InputStage.PROBLEM
        elif challenge.phase == ChallengePhase.CLOSED:
            stage = InputStage.OUTCOME
        else:
            raise PhaseConflict(
                "the challenge",
                challenge.phase,
                "input on a challenge is taken on the problem while the call is open and "
                "on the outcome once it is closed; while a pilot runs, give it on the pilot",
            )
        if data.rating is not None:
            raise FieldError("rating", "only input on a running pilot has a rating")
        return await self._add(challenge, None, stage, data, author, now)

    async def on_pilot(self, pilot_id: int, data: InputCreate, author: CurrentUser) -> InputPublic:
        pilot = await self.session.get(Pilot, pilot_id)
        if pilot is None:
            raise NotFound(f"no pilot {pilot_id}")
        if pilot.status != PilotStatus.RUNNING:
            raise PhaseConflict(
                "the pilot",
                pilot.status,
                "input on a pilot is taken while it runs in the test bed",
            )
        challenge = await public_challenge(self.session, pilot.challenge_id)
        return await self._add(challenge, pilot.id, InputStage.PILOT, data, author, utcnow())

    async def _add(
        self,
        challenge: Challenge,
        pilot_id: int | None,
        stage: InputStage,
        data: InputCreate,
        author: CurrentUser,
        now: datetime,
    ) -> InputPublic:
        assert challenge.id is not None
        require_confirmed_email(author)
        await count_action(self.session, author.id, self.limits.input, now)
        resident_input = ResidentInput(
            challenge_id=challenge.id,
            pilot_id=pilot_id,
            author_id=author.id,
            stage=stage,
            body=data.body,
            rating=data.rating,
            created_at=now,
            respond_by=respond_by(now, challenge.response_target_working_days, self.calendar),
        )
        self.session.add(resident_input)
        await self.session.flush()
        # Whoever speaks up hears how it went: giving input follows the challenge.
        await follow(self.session, challenge.id, author.id)
        await tell_city_of_input(self.session, resident_input, challenge)
        await self.session.commit()
        return to_public(resident_input, author)

    # -- reading -----------------------------------------------------------------------

    async def visible(self, input_id: int, viewer: CurrentUser | None) -> ResidentInput:
        resident_input = await self.session.get(ResidentInput, input_id)
        if resident_input is None or not can_see(resident_input, viewer):
            raise NotFound(f"no input {input_id}")
        return resident_input

    async def read(self, input_id: int, viewer: CurrentUser | None) -> InputPublic:
        resident_input = await self.visible(input_id, viewer)
        endorsed = await self._endorsed(viewer, [input_id])
        return to_public(resident_input, viewer, input_id in endorsed)

    async def list_for_challenge(
        self,
        challenge_id: int,
        viewer: CurrentUser | None,
        *,
        stage: InputStage | None,
        pilot_id: int | None,
        status: InputStatus | None,
        overdue: bool,
        reported: bool,
        cursor: str | None,
        limit: int,
    ) -> Page[InputPublic]:
        await public_challenge(self.session, challenge_id, viewer)
        conditions: list[ColumnElement[bool]] = [col(ResidentInput.challenge_id) == challenge_id]
        if stage is not None:
            conditions.append(col(ResidentInput.stage) == stage)
        if pilot_id is not None:
            conditions.append(col(ResidentInput.pilot_id) == pilot_id)
        if status is not None:
            conditions.append(col(ResidentInput.status) == status)
        if overdue:
            conditions.append(col(ResidentInput.status).in_(OPEN_INPUT_STATUSES))
            conditions.append(col(ResidentInput.respond_by) < utcnow())
        if reported and is_city(viewer):
            conditions.append(col(ResidentInput.report_count) > 0)
        return await self._page(conditions, viewer, cursor, limit)

    async def list_for_pilot(
        self, pilot_id: int, viewer: CurrentUser | None, cursor: str | None, limit: int
    ) -> Page[InputPublic]:
        pilot = await self.session.get(Pilot, pilot_id)
        if pilot is None:
            raise NotFound(f"no pilot {pilot_id}")
        conditions = [col(ResidentInput.pilot_id) == pilot_id]
        return await self._page(conditions, viewer, cursor, limit)

    async def list_mine(
        self, author: CurrentUser, cursor: str | None, limit: int
    ) -> Page[InputPublic]:
        conditions = [col(ResidentInput.author_id) == author.id]
        return await self._page(conditions, author, cursor, limit)

    async def _page(
        self,
        conditions: Sequence[ColumnElement[bool]],
        viewer: CurrentUser | None,
        cursor: str | None,
        limit: int,
    ) -> Page[InputPublic]:
        statement = select(ResidentInput).where(*conditions)
        if not is_city(viewer):
            shown = col(ResidentInput.status) != InputStatus.HIDDEN
            if viewer is not None:
                shown = or_(shown, col(ResidentInput.author_id) == viewer.id)
            statement = statement.where(shown)
        rows, next_cursor = await paginate(self.session, statement, ResidentInput.id, cursor, limit)
        endorsed = await self._endorsed(viewer, [row.id for row in rows])
        return Page(
            items=[to_public(row, viewer, row.id in endorsed) for row in rows],
            next_cursor=next_cursor,
        )

    async def _endorsed(self, viewer: CurrentUser | None, input_ids: list[int]) -> set[int]:
        if viewer is None or viewer.role != Role.RESIDENT or not input_ids:
            return set()
        rows = await self.session.exec(
            select(Endorsement.input_id).where(
                Endorsement.user_id == viewer.id, col(Endorsement.input_id).in_(input_ids)
            )
        )
        return set(rows.all())

    # -- endorsing and reporting -------------------------------------------------------

    async def _others_input(self, input_id: int, user: CurrentUser, doing: str) -> ResidentInput:
        resident_input = await self.session.get(ResidentInput, input_id)
        if resident_input is None or resident_input.status == InputStatus.HIDDEN:
            raise NotFound(f"no input {input_id}")
        if resident_input.author_id == user.id:
            raise Conflict(f"you cannot {doing} your own input")
        challenge = await public_challenge(self.session, resident_input.challenge_id)
        if challenge.phase == ChallengePhase.CANCELLED:
            raise PhaseConflict("the challenge", challenge.phase, "it was cancelled")
        return resident_input

    async def endorse(self, input_id: int, user: CurrentUser) -> EndorsementPublic:
        """Endorse once: endorsing again, even at the same moment, changes nothing (and
        counts against no limit)."""
        require_confirmed_email(user)
        resident_input = await self._others_input(input_id, user, "endorse")
        if await self._first_time(Endorsement, input_id, user, self.limits.endorsement):
            await self._bump(input_id, endorsement_count=ResidentInput.endorsement_count + 1)
        await self.session.commit()
        await self.session.refresh(resident_input)  # as committed, by whichever came first
        return EndorsementPublic(
            input_id=input_id, endorsed=True, endorsement_count=resident_input.endorsement_count
        )

    async def report(self, input_id: int, reason: str, user: CurrentUser) -> ReportPublic:
        """Report once (again, even at the same moment, changes nothing); the city is
        told at the first report of an input."""
        resident_input = await self._others_input(input_id, user, "report")
        if await self._first_time(InputReport, input_id, user, self.limits.report, reason=reason):
            await self._bump(input_id, report_count=ResidentInput.report_count + 1)
            challenge = await public_challenge(self.session, resident_input.challenge_id)
            await tell_city_of_report(self.session, resident_input, challenge, reason)
        await self.session.commit()
        return ReportPublic(input_id=input_id, reported=True)

    async def _first_time(
        self,
        model: type[Endorsement] | type[InputReport],
        input_id: int,
        user: CurrentUser,
        limit: Limit,
        **values: Any,
    ) -> bool:
        """Record that ``user`` endorsed or reported the input, unless they already did:
        the unique key on (input, person) decides, not a read before the write, so the
        same request sent many times at once is recorded once, on both databases. Only
        the first counts against the person's limit (a 429 undoes it with the rest)."""
        row = {"input_id": input_id, "user_id": user.id, "created_at": utcnow(), **values}
        if not await insert_missing(
            self.session, table_of(model), [row], unique=("input_id", "user_id")
        ):
            return False
        await count_action(self.session, user.id, limit, row["created_at"])
        return True

    async def _bump(self, input_id: int, **counters: Any) -> None:
        """Add to the input's counters in the database (not from a value read earlier)."""
        await self.session.exec(
            update(ResidentInput).where(col(ResidentInput.id) == input_id).values(**counters)
        )
