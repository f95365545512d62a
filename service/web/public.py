"""The public pages: the list of challenges and a challenge's page, and the resident's
input form on it. They read through the JSON API's own services, so a page shows this
viewer exactly what the API would (a draft is 404 for anyone but the city)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.challenges import ChallengePublic
from schemas.common import ChallengePhase, Role
from schemas.residents import InputCreate
from service.auth.guards import requires_resident
from service.auth.identity import CurrentUser
from service.challenges.controllers import provide_challenge_service
from service.challenges.search import proposal_titles, search_public
from service.challenges.services import ChallengeService
from service.clock import utcnow
from service.errors import FieldError, PhaseConflict, RateLimited
from service.questions.services import QuestionService
from service.reports.services import REPORTED_PHASES
from service.residents.controllers import provide_input_service
from service.residents.follows import FollowService
from service.residents.services import InputService
from service.web.forms import FORM, Form, FormInvalid, errors_from, read_form, validate
from service.web.i18n import N_
from service.web.labels import PHASE_NAMES
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash
from service.web.timeline import STEPS, steps

LIST_SIZE = 12
SHOWN_ON_PAGE = 50  # questions and inputs on the challenge page; the API pages the rest

MISSING_INPUT = {"body": N_("Write what you think before you send it.")}

public_dependencies = {
    "challenges": Provide(provide_challenge_service, sync_to_thread=False),
    "inputs": Provide(provide_input_service, sync_to_thread=False),
}


@get("/", name="home")
async def home(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    q: FromQuery[str | None] = None,
    phase: FromQuery[str | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Template:
    chosen = ChallengePhase(phase) if phase in {p.value for p in STEPS} else None
    try:
        found = await search_public(
            db_session, text=q, phase=chosen, cursor=cursor or None, limit=LIST_SIZE
        )
    except FieldError:  # a cursor we did not hand out: start again from the first page
        found = await search_public(db_session, text=q, phase=chosen, cursor=None, limit=LIST_SIZE)
        cursor = None
    return page(
        request,
        "public/home.html",
        challenges=found.items,
        next_cursor=found.next_cursor,
        paged=bool(cursor),
        q=(q or "").strip(),
        phase=chosen.value if chosen else "",
        phases=[(p.value, PHASE_NAMES[p]) for p in STEPS],
    )


def accepts_input(challenge: ChallengePublic) -> bool:
    """Whether residents may give input on the challenge itself now (the domain decides
    for good when they post: this only decides whether the form is shown)."""
    if challenge.phase == ChallengePhase.OPEN:
        return utcnow() < challenge.proposals_close_at
    return challenge.phase == ChallengePhase.CLOSED


async def _challenge_page(
    request: Request[Any, Any, Any],
    challenge_id: int,
    challenges: ChallengeService,
    inputs: InputService,
    db_session: AsyncSession,
    viewer: CurrentUser | None,
    *,
    form: Form | None = None,
    status_code: int = 200,
    answer: Form | None = None,
    answering: int | None = None,
) -> Template:
    challenge = await challenges.read(challenge_id, viewer)
    published = challenge.published_at is not None and challenge.phase != ChallengePhase.DRAFT
    questions = inputs_found = None
    if published:
        questions = await QuestionService(db_session).page(
            challenge_id, viewer, None, SHOWN_ON_PAGE
        )
        inputs_found = await inputs.list_for_challenge(
            challenge_id,
            viewer,
            stage=None,
            pilot_id=None,
            status=None,
            overdue=False,
            reported=False,
            cursor=None,
            limit=SHOWN_ON_PAGE,
        )
    titles = await proposal_titles(db_session, [p.proposal_id for p in challenge.pilots])
    ratings = {r.pilot_id: r for r in (challenge.engagement.pilots if challenge.engagement else [])}
    resident = viewer is not None and viewer.role == Role.RESIDENT
    following = (
        await FollowService(db_session).status(challenge_id, viewer)
        if published and resident and viewer is not None
        else None
    )
    return page(
        request,
        "public/challenge.html",
        status_code=status_code,
        challenge=challenge,
        steps=steps(challenge),
        questions=questions.items if questions else [],
        inputs=inputs_found.items if inputs_found else [],
        more_inputs=bool(inputs_found and inputs_found.next_cursor),
        pilot_titles=titles,
        ratings=ratings,
        accepts_input=published and accepts_input(challenge),
        resident=resident,
        following=following,
        has_report=published and challenge.phase in REPORTED_PHASES,
        form=form or Form(),
        # The city answers questions here, where they are asked (a refused answer comes
        # back in the form of its own question).
        city=viewer is not None and viewer.role == Role.CITY,
        answer=answer or Form(),
        answering=answering,
    )


challenge_page_with = _challenge_page
"""The public challenge page, for a form of another router that comes back refused."""


@get("/challenges/{challenge_id:int}", name="challenge")
async def challenge_page(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    challenges: NamedDependency[ChallengeService],
    inputs: NamedDependency[InputService],
    db_session: NamedDependency[AsyncSession],
    viewer: NamedDependency[CurrentUser | None],
) -> Template:
    return await _challenge_page(request, challenge_id, challenges, inputs, db_session, viewer)


@post(
    "/challenges/{challenge_id:int}/inputs",
    name="challenge.input",
    guards=[requires_resident],
    status_code=303,
)
async def give_input(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    challenges: NamedDependency[ChallengeService],
    inputs: NamedDependency[InputService],
    db_session: NamedDependency[AsyncSession],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/challenges/{id}/inputs``, as a form."""
    _ = gettext_for(request)
    values = await read_form(request)
    try:
        data = validate(InputCreate, {"body": values.get("body", "")}, _, MISSING_INPUT)
        created = await inputs.on_challenge(challenge_id, data, user)
    except FormInvalid as invalid:
        errors, status_code = invalid.errors, 422
    except PhaseConflict as exc:
        errors = {FORM: _("Input is not taken in this phase: %(why)s") % {"why": exc.detail}}
        status_code = 409
    except FieldError as exc:
        errors, status_code = errors_from(exc, _), 422
    except RateLimited:
        errors = {FORM: _("You have given a lot of input this hour. Try again later.")}
        status_code = 429
    else:
        flash(request, "Thank you. Your input was received; the city will answer it.")
        return see_other(f"/challenges/{challenge_id}#input-{created.id}")
    form = Form({"body": values.get("body", "")}, errors)
    return await _challenge_page(
        request,
        challenge_id,
        challenges,
        inputs,
        db_session,
        user,
        form=form,
        status_code=status_code,
    )


public_handlers = [home, challenge_page, give_input]
