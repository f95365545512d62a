"""Residents' input in the console: a challenge's input (all, past its response target,
reported, or by status; on one pilot with ``?pilot=``), and one input with what the
city can do with it: answer it publicly, mark it under consideration, hide it with a
reason, restore it.

``InputService.list_for_challenge`` as ``GET /api/challenges/{id}/inputs`` calls it for
the city; ``ModerationService`` as ``/api/inputs/{id}/response|consider|hide|restore``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.residents import HideRequest, InputStatus, ResponseCreate
from service.auth.identity import CurrentUser
from service.challenges.search import proposal_titles
from service.challenges.services import ChallengeService
from service.clock import utcnow
from service.errors import Conflict, FieldError
from service.residents.moderation import ModerationService
from service.residents.services import InputService
from service.web.forms import FORM, Form, FormInvalid, read_form, validate
from service.web.i18n import N_
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash

LIST_SIZE = 30
FILTERS = (
    ("all", N_("All")),
    ("overdue", N_("Past the response target")),
    ("received", N_("Received")),
    ("under_consideration", N_("Under consideration")),
    ("answered", N_("Answered")),
    ("hidden", N_("Hidden")),
    ("reported", N_("Reported")),
)
MISSING_ANSWER = {"body": N_("Write the answer: it is published with the input.")}
MISSING_HIDE = {"reason": N_("Say why it is hidden: its author reads it.")}


@get("/challenges/{challenge_id:int}/inputs", name="city.inputs")
async def inputs(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_inputs: NamedDependency[InputService],
    db_session: NamedDependency[AsyncSession],
    user: NamedDependency[CurrentUser],
    show: FromQuery[str | None] = None,
    overdue: FromQuery[str | None] = None,
    cursor: FromQuery[str | None] = None,
    pilot: FromQuery[int | None] = None,
) -> Template | Response[Any]:
    challenge = await city_challenges.read(challenge_id, user)
    shown = "overdue" if overdue else show if show in dict(FILTERS) else "all"
    status = InputStatus(shown) if shown in {s.value for s in InputStatus} else None
    on_pilot = pilot if pilot in {p.id for p in challenge.pilots} else None
    try:
        found = await city_inputs.list_for_challenge(
            challenge_id,
            user,
            stage=None,
            pilot_id=on_pilot,
            status=status,
            overdue=shown == "overdue",
            reported=shown == "reported",
            cursor=cursor or None,
            limit=LIST_SIZE,
        )
    except FieldError:  # a cursor we did not hand out
        on = f"&pilot={on_pilot}" if on_pilot else ""
        return see_other(f"/city/challenges/{challenge_id}/inputs?show={shown}{on}")
    # Which pilot an input is on, by name: a challenge may run several.
    titles = await proposal_titles(db_session, [p.proposal_id for p in challenge.pilots])
    return page(
        request,
        "city/inputs.html",
        challenge=challenge,
        inputs=found.items,
        next_cursor=found.next_cursor,
        shown=shown,
        filters=FILTERS,
        on_pilot=on_pilot,
        pilot_titles={
            p.id: titles[p.proposal_id] for p in challenge.pilots if p.proposal_id in titles
        },
        now=utcnow(),
    )


async def _input_page(
    request: Request[Any, Any, Any],
    input_id: int,
    user: CurrentUser,
    challenges: ChallengeService,
    inputs: InputService,
    *,
    answer: Form | None = None,
    hide: Form | None = None,
    status_code: int = 200,
) -> Template:
    item = await inputs.read(input_id, user)
    challenge = await challenges.read(item.challenge_id, user)
    if answer is None:
        answer = Form({"body": item.response.body if item.response else ""})
    hide = hide or Form({"reason": ""})
    return page(
        request,
        "city/input.html",
        status_code=status_code,
        item=item,
        challenge=challenge,
        answer=answer,
        hide=hide,
        all_errors=Form({}, {**answer.errors, **hide.errors}),
    )


@get("/inputs/{input_id:int}", name="city.input")
async def input_page(
    request: Request[Any, Any, Any],
    input_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_inputs: NamedDependency[InputService],
    user: NamedDependency[CurrentUser],
) -> Template:
    return await _input_page(request, input_id, user, city_challenges, city_inputs)


@post("/inputs/{input_id:int}/response", name="city.input_answer", status_code=303)
async def answer_input(
    request: Request[Any, Any, Any],
    input_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_inputs: NamedDependency[InputService],
    city_moderation: NamedDependency[ModerationService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/inputs/{id}/response``, as a form."""
    _ = gettext_for(request)
    values = await read_form(request)
    form = Form({"body": values.get("body", "")})
    status_code = 422
    try:
        data = validate(ResponseCreate, form.values, _, MISSING_ANSWER)
        await city_moderation.respond(input_id, data.body, user)
    except FormInvalid as invalid:
        form.errors = invalid.errors
    except Conflict as exc:
        form.errors, status_code = {FORM: _(str(exc.detail))}, 409
    else:
        flash(request, "Your answer is published; the resident is told.")
        return see_other(f"/city/inputs/{input_id}")
    return await _input_page(
        request, input_id, user, city_challenges, city_inputs, answer=form, status_code=status_code
    )


@post("/inputs/{input_id:int}/consider", name="city.input_consider", status_code=303)
async def consider_input(
    request: Request[Any, Any, Any],
    input_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_inputs: NamedDependency[InputService],
    city_moderation: NamedDependency[ModerationService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/inputs/{id}/consider``."""
    try:
        await city_moderation.consider(input_id, user)
    except Conflict as exc:
        form = Form({}, {FORM: gettext_for(request)(str(exc.detail))})
        return await _input_page(
            request, input_id, user, city_challenges, city_inputs, answer=form, status_code=409
        )
    flash(request, "Marked under consideration; the resident is told.")
    return see_other(f"/city/inputs/{input_id}")


@post("/inputs/{input_id:int}/hide", name="city.input_hide", status_code=303)
async def hide_input(
    request: Request[Any, Any, Any],
    input_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_inputs: NamedDependency[InputService],
    city_moderation: NamedDependency[ModerationService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/inputs/{id}/hide``, with the reason its author reads."""
    _ = gettext_for(request)
    values = await read_form(request)
    form = Form({"reason": values.get("reason", "")})
    status_code = 422
    try:
        data = validate(HideRequest, form.values, _, MISSING_HIDE)
        await city_moderation.hide(input_id, data.reason, user)
    except FormInvalid as invalid:
        form.errors = invalid.errors
    except Conflict as exc:
        form.errors, status_code = {FORM: _(str(exc.detail))}, 409
    else:
        flash(request, "The input is hidden from the public page; its author is told why.")
        return see_other(f"/city/inputs/{input_id}")
    return await _input_page(
        request, input_id, user, city_challenges, city_inputs, hide=form, status_code=status_code
    )


@post("/inputs/{input_id:int}/restore", name="city.input_restore", status_code=303)
async def restore_input(
    request: Request[Any, Any, Any],
    input_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_inputs: NamedDependency[InputService],
    city_moderation: NamedDependency[ModerationService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/inputs/{id}/restore``."""
    try:
        await city_moderation.restore(input_id, user)
    except Conflict as exc:
        form = Form({}, {FORM: gettext_for(request)(str(exc.detail))})
        return await _input_page(
            request, input_id, user, city_challenges, city_inputs, answer=form, status_code=409
        )
    flash(request, "The input is shown again.")
    return see_other(f"/city/inputs/{input_id}")


resident_handlers = [
    inputs,
    input_page,
    answer_input,
    consider_input,
    hide_input,
    restore_input,
]
