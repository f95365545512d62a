"""Drafting a challenge: create and edit the draft, publish it after checking every
answer, and cancel a challenge with a reason (confirmed on a page of its own).

The same ``ChallengeService`` as ``/api/challenges``: it decides what may change, when.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from schemas.challenges import CancelRequest, ChallengePublic, ChallengeUpdate
from service.auth.identity import CurrentUser
from service.challenges.services import ChallengeService
from service.errors import FieldError, PhaseConflict
from service.web.city import challenge_form
from service.web.city.common import phase_refusal, time_zone
from service.web.forms import FORM, Form, FormInvalid, errors_from, read_form, validate
from service.web.i18n import N_
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash
from service.workflow_gateway import WorkflowUnavailable

MISSING_REASON = {"reason": N_("Say why the challenge is cancelled: everyone involved reads it.")}
FROZEN = N_("Its rules are frozen once published; to change them, cancel it and draft a new one.")
WORKFLOW_DOWN = N_(
    "The service that runs the challenge's timeline cannot be reached just now. Nothing "
    "was changed: try again in a minute."
)


def editable(challenge: ChallengePublic) -> bool:
    """Whether the edit form is offered (the service decides for good on saving)."""
    return challenge.phase.value == "draft" and challenge.published_at is None


def _form_page(
    request: Request[Any, Any, Any],
    form: Form,
    *,
    challenge: ChallengePublic | None = None,
    add: str | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "city/challenge_form.html",
        status_code=status_code,
        form=form,
        challenge=challenge,
        rows=challenge_form.rows_shown(form.values, add),
        total=challenge_form.weight_total(form.values),
        action=f"/city/challenges/{challenge.id}/edit" if challenge else "/city/challenges",
    )


def _added_row(values: dict[str, str]) -> str | None:
    wanted = values.get("add_row")
    return wanted if wanted in ("criteria", "kpis") else None


@get("/challenges/new", name="city.challenge_new")
async def new_challenge(request: Request[Any, Any, Any]) -> Template:
    return _form_page(request, Form())


@post("/challenges", name="city.challenge_create", status_code=303)
async def create_challenge(
    request: Request[Any, Any, Any],
    city_challenges: NamedDependency[ChallengeService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/challenges``, as a form."""
    _ = gettext_for(request)
    values = await read_form(request)
    form = Form(challenge_form.echo(values))
    add = _added_row(values)
    if add:
        form.values.update({k: values[k] for k in ("criteria_rows", "kpi_rows") if k in values})
        return _form_page(request, form, add=add)
    try:
        data = challenge_form.parse(values, time_zone(request), _)
        created = await city_challenges.create(data, user)
    except FormInvalid as invalid:
        form.errors = invalid.errors
    except FieldError as exc:
        form.errors = challenge_form.reword(errors_from(exc, _), values, _)
    else:
        flash(request, "The draft is saved. Only city staff can see it until it is published.")
        return see_other(f"/city/challenges/{created.id}")
    return _form_page(request, form, status_code=422)


@get("/challenges/{challenge_id:int}/edit", name="city.challenge_edit")
async def edit_challenge(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    user: NamedDependency[CurrentUser],
) -> Template:
    challenge = await city_challenges.read(challenge_id, user)
    if not editable(challenge):
        return _refused(request, challenge, FROZEN)
    values = challenge_form.from_challenge(challenge, time_zone(request))
    return _form_page(request, Form(values), challenge=challenge)


@post("/challenges/{challenge_id:int}/edit", name="city.challenge_update", status_code=303)
async def update_challenge(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``PATCH /api/challenges/{id}`` with every field, as a form."""
    _ = gettext_for(request)
    challenge = await city_challenges.read(challenge_id, user)
    if not editable(challenge):  # as the API: the phase first, then the fields
        return _refused(request, challenge, FROZEN)
    values = await read_form(request)
    form = Form(challenge_form.echo(values))
    add = _added_row(values)
    if add:
        form.values.update({k: values[k] for k in ("criteria_rows", "kpi_rows") if k in values})
        return _form_page(request, form, challenge=challenge, add=add)
    status_code = 422
    try:
        data = challenge_form.parse(values, time_zone(request), _)
        await city_challenges.update(challenge_id, ChallengeUpdate(**data.model_dump()), user)
    except FormInvalid as invalid:
        form.errors = invalid.errors
    except FieldError as exc:
        form.errors = challenge_form.reword(errors_from(exc, _), values, _)
    except PhaseConflict as exc:
        form.errors, status_code = {FORM: phase_refusal(exc, _, FROZEN)}, 409
    else:
        flash(request, "Your changes to the draft are saved.")
        return see_other(f"/city/challenges/{challenge_id}")
    return _form_page(request, form, challenge=challenge, status_code=status_code)


def _refused(request: Request[Any, Any, Any], challenge: ChallengePublic, instead: str) -> Template:
    _ = gettext_for(request)
    message = phase_refusal(
        PhaseConflict("the challenge", challenge.phase.value, _("not a draft any more")), _, instead
    )
    return page(request, "city/refused.html", status_code=409, challenge=challenge, message=message)


# -- publishing ---------------------------------------------------------------------------


def _publish_page(
    request: Request[Any, Any, Any],
    challenge: ChallengePublic,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "city/publish.html",
        status_code=status_code,
        challenge=challenge,
        form=form or Form(),
    )


@get("/challenges/{challenge_id:int}/publish", name="city.challenge_publish_check")
async def check_publish(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    user: NamedDependency[CurrentUser],
) -> Template:
    """Check your answers before publishing: after it, the rules cannot change."""
    challenge = await city_challenges.read(challenge_id, user)
    if not editable(challenge):
        return _refused(request, challenge, FROZEN)
    return _publish_page(request, challenge)


@post("/challenges/{challenge_id:int}/publish", name="city.challenge_publish", status_code=303)
async def publish_challenge(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/challenges/{id}/publish``."""
    _ = gettext_for(request)
    try:
        await city_challenges.publish(challenge_id, user)
    except FieldError as exc:
        said = errors_from(exc, _).get("proposals_close_at", str(exc.detail))
        errors = {FORM: _("When the call closes: %(message)s.") % {"message": said}}
        status_code = 422
    except PhaseConflict as exc:
        errors, status_code = {FORM: phase_refusal(exc, _)}, 409
    except WorkflowUnavailable:
        errors, status_code = {FORM: _(WORKFLOW_DOWN)}, 503
    else:
        flash(request, "The challenge is published: the call for proposals is open.")
        return see_other(f"/city/challenges/{challenge_id}")
    challenge = await city_challenges.read(challenge_id, user)
    return _publish_page(request, challenge, Form({}, errors), status_code)


# -- cancelling ---------------------------------------------------------------------------


def _cancel_page(
    request: Request[Any, Any, Any],
    challenge: ChallengePublic,
    form: Form,
    *,
    checking: bool = False,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "city/cancel.html",
        status_code=status_code,
        challenge=challenge,
        form=form,
        checking=checking,
    )


@get("/challenges/{challenge_id:int}/cancel", name="city.challenge_cancel_form")
async def cancel_form(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    user: NamedDependency[CurrentUser],
) -> Template:
    challenge = await city_challenges.read(challenge_id, user)
    return _cancel_page(request, challenge, Form())


@post("/challenges/{challenge_id:int}/cancel", name="city.challenge_cancel", status_code=303)
async def cancel_challenge(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/challenges/{id}/cancel``: the reason, then a page to confirm."""
    _ = gettext_for(request)
    challenge = await city_challenges.read(challenge_id, user)
    values = await read_form(request)
    form = Form({"reason": values.get("reason", "")})
    if "change" in values:
        return _cancel_page(request, challenge, form)
    try:
        data = validate(CancelRequest, form.values, _, MISSING_REASON)
    except FormInvalid as invalid:
        form.errors = invalid.errors
        return _cancel_page(request, challenge, form, status_code=422)
    if values.get("confirmed") != "yes":
        return _cancel_page(request, challenge, form, checking=True)
    try:
        await city_challenges.cancel(challenge_id, data.reason, user)
    except PhaseConflict as exc:
        form.errors = {FORM: phase_refusal(exc, _)}
        return _cancel_page(request, challenge, form, status_code=409)
    except WorkflowUnavailable:
        form.errors = {FORM: _(WORKFLOW_DOWN)}
        return _cancel_page(request, challenge, form, checking=True, status_code=503)
    flash(request, "The challenge is cancelled. Everyone involved is told why.")
    return see_other(f"/city/challenges/{challenge_id}")


draft_handlers = [
    new_challenge,
    create_challenge,
    edit_challenge,
    update_challenge,
    check_publish,
    publish_challenge,
    cancel_form,
    cancel_challenge,
]
