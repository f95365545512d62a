"""What a resident does on the public pages: follow a challenge and stop following it,
endorse another resident's input (once), report an input to the city, and give input
on a running pilot with a 1-5 rating.

Each form is the JSON API's endpoint of the same name (``service/residents/
controllers.py``) and calls its service, so the domain decides every refusal: a draft
cannot be followed, one's own input cannot be endorsed or reported, a pilot takes input
only while it runs. The pilot's own page (``/pilots/{id}``, ``startup_pilots.py``)
shows the residents' part with ``pilot_residents_context``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import PilotStatus, Role
from schemas.pilots import PilotPublic
from schemas.residents import InputCreate, InputPublic, ReportCreate
from service.auth.guards import requires_resident
from service.auth.identity import CurrentUser
from service.errors import Conflict, DomainError, FieldError, PhaseConflict, RateLimited
from service.pilots.controllers import provide_pilot_service
from service.residents.controllers import provide_follow_service, provide_input_service
from service.residents.follows import FollowService
from service.residents.services import InputService
from service.web.forms import FORM, Form, FormInvalid, errors_from, read_form, validate
from service.web.i18n import N_, Gettext
from service.web.rendering import gettext_for, page, safe_next, see_other
from service.web.session import flash
from service.workflow_gateway import WorkflowGateway

SHOWN_ON_PILOT = 50  # residents' input on a pilot's page; the API pages the rest

MISSING_INPUT = {"body": N_("Write what you think before you send it.")}
MISSING_REASON = {"reason": N_("Tell the city what is wrong with this input.")}
RATINGS = [
    ("1", N_("1 – very poor")),
    ("2", N_("2 – poor")),
    ("3", N_("3 – fair")),
    ("4", N_("4 – good")),
    ("5", N_("5 – very good")),
]

# The domain's refusals a resident may meet here (shown translated, see ``refusal``).
REFUSALS = (
    N_("you cannot endorse your own input"),
    N_("you cannot report your own input"),
)

resident_dependencies = {
    "follows": Provide(provide_follow_service, sync_to_thread=False),
    "inputs": Provide(provide_input_service, sync_to_thread=False),
}


def refusal(exc: DomainError, _: Gettext) -> str:
    """The domain's reason, in the page's language where the catalogue has it."""
    message = _(str(exc.detail))
    return message[:1].upper() + message[1:]


def _back(values: dict[str, str], default: str) -> str:
    return safe_next(values.get("next"), default)


def _refused(
    request: Request[Any, Any, Any], title: str, message: str, back: str, status_code: int
) -> Template:
    return page(
        request,
        "residents/refused.html",
        status_code=status_code,
        heading=title,
        message=message,
        back=back,
    )


# -- following -----------------------------------------------------------------------------


@post(
    "/challenges/{challenge_id:int}/follow",
    name="challenge.follow",
    guards=[requires_resident],
    status_code=303,
)
async def follow(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    follows: NamedDependency[FollowService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/challenges/{id}/follow``."""
    _ = gettext_for(request)
    values = await read_form(request)
    back = _back(values, f"/challenges/{challenge_id}#follow")
    try:
        await follows.follow(challenge_id, user)
    except PhaseConflict as exc:
        return _refused(request, _("You cannot follow this challenge"), refusal(exc, _), back, 409)
    flash(request, N_("You follow this challenge. You get a notification at every step."))
    return see_other(back)


@post(
    "/challenges/{challenge_id:int}/unfollow",
    name="challenge.unfollow",
    guards=[requires_resident],
    status_code=303,
)
async def unfollow(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    follows: NamedDependency[FollowService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``DELETE /api/challenges/{id}/follow`` (a form can only post)."""
    values = await read_form(request)
    await follows.unfollow(challenge_id, user)
    flash(
        request,
        N_("You no longer follow this challenge. Answers to your own input still reach you."),
    )
    return see_other(_back(values, f"/challenges/{challenge_id}#follow"))


# -- endorsing and reporting -----------------------------------------------------------------


def _input_path(item: InputPublic) -> str:
    if item.pilot_id is not None:
        return f"/pilots/{item.pilot_id}#input-{item.id}"
    return f"/challenges/{item.challenge_id}#input-{item.id}"


@post(
    "/inputs/{input_id:int}/endorse",
    name="input.endorse",
    guards=[requires_resident],
    status_code=303,
)
async def endorse(
    request: Request[Any, Any, Any],
    input_id: FromPath[int],
    inputs: NamedDependency[InputService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/inputs/{id}/endorse``. The API takes a second endorsement
    as the first (it counts once); the page says so rather than thanking twice."""
    _ = gettext_for(request)
    values = await read_form(request)
    item = await inputs.read(input_id, user)
    back = _back(values, _input_path(item))
    title = _("Your endorsement was not added")
    if item.endorsed_by_me:
        message = _("You already endorsed this input. Each resident counts once.")
        return _refused(request, title, message, back, 409)
    try:
        await inputs.endorse(input_id, user)
    except (Conflict, PhaseConflict) as exc:  # one's own input, a cancelled challenge
        return _refused(request, title, refusal(exc, _), back, 409)
    except RateLimited:
        message = _("You have endorsed a lot this hour. Try again later.")
        return _refused(request, title, message, back, 429)
    flash(request, N_("You endorsed this input. The city sees how many residents agree."))
    return see_other(back)


def _report_page(
    request: Request[Any, Any, Any],
    item: InputPublic,
    back: str,
    form: Form,
    status_code: int = 200,
) -> Template:
    return page(
        request, "residents/report.html", status_code=status_code, item=item, back=back, form=form
    )


@get("/inputs/{input_id:int}/report", name="input.report", guards=[requires_resident])
async def report_form(
    request: Request[Any, Any, Any],
    input_id: FromPath[int],
    inputs: NamedDependency[InputService],
    user: NamedDependency[CurrentUser],
) -> Template:
    item = await inputs.read(input_id, user)
    back = safe_next(request.query_params.get("next"), _input_path(item))
    return _report_page(request, item, back, Form({"next": back}))


@post(
    "/inputs/{input_id:int}/report",
    name="input.report.submit",
    guards=[requires_resident],
    status_code=303,
)
async def report(
    request: Request[Any, Any, Any],
    input_id: FromPath[int],
    inputs: NamedDependency[InputService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/inputs/{id}/report``, with the reason it asks for."""
    _ = gettext_for(request)
    values = await read_form(request)
    item = await inputs.read(input_id, user)
    back = _back(values, _input_path(item))
    status_code = 422
    try:
        data = validate(ReportCreate, {"reason": values.get("reason", "")}, _, MISSING_REASON)
        await inputs.report(input_id, data.reason, user)
    except FormInvalid as invalid:
        errors = invalid.errors
    except (Conflict, PhaseConflict) as exc:
        errors, status_code = {FORM: refusal(exc, _)}, 409
    except RateLimited:
        errors, status_code = {FORM: _("You have reported a lot this hour. Try again later.")}, 429
    else:
        flash(request, N_("Thank you. The city is told and looks at this input."))
        return see_other(back)
    form = Form({"reason": values.get("reason", ""), "next": back}, errors)
    return _report_page(request, item, back, form, status_code)


# -- input on a running pilot ----------------------------------------------------------------


async def pilot_residents_context(
    request: Request[Any, Any, Any],
    pilot: PilotPublic,
    viewer: CurrentUser | None,
    db_session: AsyncSession,
) -> dict[str, Any]:
    """What the pilot's page shows of residents (``residents/pilot_residents.html``):
    their input on the pilot as the API lists it to this viewer, and whether the viewer
    may give input now."""
    inputs = provide_input_service(db_session, request.app.state)
    found = await inputs.list_for_pilot(pilot.id, viewer, None, SHOWN_ON_PILOT)
    return {
        "resident_inputs": found.items,
        "more_resident_inputs": found.next_cursor is not None,
        "resident": viewer is not None and viewer.role == Role.RESIDENT,
        "takes_input": pilot.status == PilotStatus.RUNNING,
        "ratings": RATINGS,
        "input_form": Form(),
    }


@post(
    "/pilots/{pilot_id:int}/inputs",
    name="pilot.input",
    guards=[requires_resident],
    status_code=303,
)
async def give_pilot_input(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    inputs: NamedDependency[InputService],
    db_session: NamedDependency[AsyncSession],
    workflow_gateway: NamedDependency[WorkflowGateway],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/pilots/{id}/inputs``: a text and an optional 1-5 rating. A
    refused form comes back on a page of its own, with what was typed."""
    _ = gettext_for(request)
    values = await read_form(request)
    typed = {"body": values.get("body", ""), "rating": values.get("rating", "")}
    status_code = 422
    try:
        data = validate(InputCreate, typed, _, MISSING_INPUT)
        created = await inputs.on_pilot(pilot_id, data, user)
    except FormInvalid as invalid:
        errors = invalid.errors
    except PhaseConflict as exc:
        message = _("This pilot takes input only while it runs in the test bed.")
        errors, status_code = {FORM: f"{message} ({refusal(exc, _)})"}, 409
    except FieldError as exc:
        errors = errors_from(exc, _)
    except RateLimited:
        errors = {FORM: _("You have given a lot of input this hour. Try again later.")}
        status_code = 429
    else:
        flash(
            request, N_("Thank you. Your input on the pilot was received; the city will answer it.")
        )
        return see_other(f"/pilots/{pilot_id}#input-{created.id}")
    pilot = await provide_pilot_service(db_session, workflow_gateway).read(pilot_id, user)
    return page(
        request,
        "residents/pilot_input.html",
        status_code=status_code,
        pilot=pilot,
        ratings=RATINGS,
        input_form=Form(typed, errors),
    )


resident_handlers = [follow, unfollow, endorse, report_form, report, give_pilot_input]
