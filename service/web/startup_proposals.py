"""A proposal's page (``/proposals/{id}``), for whoever may read it through
``GET /api/proposals/{id}`` (others get the API's 403 or 404); for its startup also the
edit form until the call closes, withdrawing after a confirmation page, the screening
and the city's questions with an answer form, and the selection outcome with its own
scores and the evaluators' anonymised comments."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.challenges import ChallengePublic
from schemas.common import Role
from schemas.proposals import ProposalCreate, ProposalPublic, ProposalUpdate
from schemas.review import InfoAnswerCreate, InfoRequestPublic
from service.auth.guards import requires_login, requires_startup
from service.auth.identity import CurrentUser
from service.clock import utcnow
from service.errors import Conflict, FieldError, PhaseConflict
from service.proposals.models import ProposalStatus
from service.proposals.services import ProposalService
from service.review.screening import ScreeningService
from service.web.forms import FORM, Form, FormInvalid, read_form, validate
from service.web.i18n import N_, request_language
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash
from service.web.startup import (
    MISSING_PROPOSAL,
    PROPOSAL_STATUS,
    budget_errors,
    call_open,
    phase_refusal,
    plain_amount,
    proposal_values,
    read_challenge,
    time_left,
    typed_fields,
)
from service.workflow_gateway import WorkflowGateway

EVENT_NAMES = {
    "screened_eligible": N_("The city found it eligible"),
    "screened_ineligible": N_("The city found it not eligible"),
    "info_requested": N_("The city asked a question"),
    "info_answered": N_("The startup answered"),
    "screened_out_no_reply": N_("Screened out: the question was not answered in time"),
    "selected": N_("Selected for a pilot"),
    "not_selected": N_("Not selected"),
}

MISSING_ANSWER = {"body": N_("Write your answer before you send it.")}


# -- a proposal's page ------------------------------------------------------------------


async def _proposal_page(
    request: Request[Any, Any, Any],
    proposal_id: int,
    viewer: CurrentUser,
    db_session: AsyncSession,
    gateway: WorkflowGateway,
    *,
    answer_form: Form | None = None,
    answering: int | None = None,
    status_code: int = 200,
) -> Template:
    proposal = await ProposalService(db_session).read(proposal_id, viewer)  # 404 / 403 as the API
    challenge = await read_challenge(request, db_session, proposal.challenge_id, viewer)
    owner = viewer.role == Role.STARTUP and proposal.startup_id == viewer.id
    events: list[Any] = []
    requests: list[InfoRequestPublic] = []
    if owner or viewer.role == Role.CITY:
        events, requests = await ScreeningService(db_session, gateway).history(proposal_id, viewer)
    now = utcnow()
    open_request = next(
        (r for r in reversed(requests) if r.status == "open" and r.reply_deadline > now), None
    )
    pilot = next((p for p in challenge.pilots if p.proposal_id == proposal.id), None)
    active = proposal.status != ProposalStatus.WITHDRAWN
    return page(
        request,
        "startup/proposal.html",
        status_code=status_code,
        proposal=proposal,
        challenge=challenge,
        owner=owner,
        can_change=owner and active and call_open(challenge),
        left=time_left(challenge.proposals_close_at),
        events=events,
        event_names=EVENT_NAMES,
        info_requests=requests,
        open_request=open_request,
        answer_form=answer_form or Form(),
        answering=answering,
        pilot=pilot,
        proposal_status=PROPOSAL_STATUS,
    )


@get("/proposals/{proposal_id:int}", name="proposal", guards=[requires_login])
async def proposal_page(
    request: Request[Any, Any, Any],
    proposal_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
    workflow_gateway: NamedDependency[WorkflowGateway],
) -> Template:
    return await _proposal_page(request, proposal_id, user, db_session, workflow_gateway)


async def _own_proposal(
    request: Request[Any, Any, Any], db_session: AsyncSession, proposal_id: int, user: CurrentUser
) -> tuple[ProposalPublic, ChallengePublic]:
    """The proposal and its challenge, read as the API reads them for this startup."""
    proposal = await ProposalService(db_session).read(proposal_id, user)
    challenge = await read_challenge(request, db_session, proposal.challenge_id, user)
    return proposal, challenge


def _edit_page(
    request: Request[Any, Any, Any],
    proposal: ProposalPublic,
    challenge: ChallengePublic,
    form: Form,
    status_code: int = 200,
) -> Template:
    active = proposal.status != ProposalStatus.WITHDRAWN
    return page(
        request,
        "startup/proposal_edit.html",
        status_code=status_code,
        proposal=proposal,
        challenge=challenge,
        form=form,
        open_now=active and call_open(challenge),
        active=active,
        left=time_left(challenge.proposals_close_at),
    )


@get("/proposals/{proposal_id:int}/edit", name="proposal.edit", guards=[requires_startup])
async def edit_proposal(
    request: Request[Any, Any, Any],
    proposal_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    proposal, challenge = await _own_proposal(request, db_session, proposal_id, user)
    language = request_language(request)
    values = {
        "title": proposal.title,
        "summary": proposal.summary,
        "budget_eur": plain_amount(proposal.budget_eur, language),
    }
    if proposal.public_title_consent:
        values["public_title_consent"] = "true"
    return _edit_page(request, proposal, challenge, Form(values))


@post(
    "/proposals/{proposal_id:int}/edit",
    name="proposal.edit.submit",
    guards=[requires_startup],
    status_code=303,
)
async def save_proposal(
    request: Request[Any, Any, Any],
    proposal_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    """The API's ``PATCH /api/proposals/{id}``: every field is sent, none may be empty."""
    _ = gettext_for(request)
    values = await read_form(request)
    proposal, challenge = await _own_proposal(request, db_session, proposal_id, user)
    status_code = 422
    try:
        data = validate(ProposalCreate, proposal_values(values), _, MISSING_PROPOSAL)
        await ProposalService(db_session).update(
            proposal_id, ProposalUpdate(**data.model_dump()), user
        )
    except FormInvalid as invalid:
        errors = invalid.errors
    except FieldError as exc:
        errors = budget_errors(request, exc, challenge)
    except PhaseConflict as exc:
        message = N_(
            "Your proposal can no longer be changed. If something important changed, "
            "tell the city by asking a question on the challenge's page."
        )
        errors = {
            FORM: phase_refusal(request, exc, message, closes_at=challenge.proposals_close_at)
        }
        status_code = 409
    except Conflict:
        errors = {FORM: _("You withdrew this proposal: it can no longer be changed.")}
        status_code = 409
    else:
        flash(request, N_("Your changes are saved."))
        return see_other(f"/proposals/{proposal_id}")
    return _edit_page(request, proposal, challenge, Form(typed_fields(values), errors), status_code)


@get("/proposals/{proposal_id:int}/withdraw", name="proposal.withdraw", guards=[requires_startup])
async def confirm_withdrawal(
    request: Request[Any, Any, Any],
    proposal_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    """Check before withdrawing: what is withdrawn, and that it cannot be undone."""
    proposal, challenge = await _own_proposal(request, db_session, proposal_id, user)
    return _withdraw_page(request, proposal, challenge, Form())


def _withdraw_page(
    request: Request[Any, Any, Any],
    proposal: ProposalPublic,
    challenge: ChallengePublic,
    form: Form,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "startup/withdraw.html",
        status_code=status_code,
        proposal=proposal,
        challenge=challenge,
        form=form,
        open_now=proposal.status != ProposalStatus.WITHDRAWN and call_open(challenge),
    )


@post(
    "/proposals/{proposal_id:int}/withdraw",
    name="proposal.withdraw.submit",
    guards=[requires_startup],
    status_code=303,
)
async def withdraw(
    request: Request[Any, Any, Any],
    proposal_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    """The API's ``POST /api/proposals/{id}/withdraw``, after the confirmation page."""
    _ = gettext_for(request)
    proposal, challenge = await _own_proposal(request, db_session, proposal_id, user)
    try:
        await ProposalService(db_session).withdraw(proposal_id, user)
    except PhaseConflict as exc:
        message = N_(
            "Your proposal stays in the review. If you cannot go on with it, "
            "tell the city by asking a question on the challenge's page."
        )
        errors = {
            FORM: phase_refusal(request, exc, message, closes_at=challenge.proposals_close_at)
        }
    except Conflict:
        errors = {FORM: _("You withdrew this proposal already.")}
    else:
        flash(request, N_("Your proposal is withdrawn."))
        return see_other(f"/proposals/{proposal_id}")
    return _withdraw_page(request, proposal, challenge, Form({}, errors), 409)


@post(
    "/info-requests/{request_id:int}/answer",
    name="info_request.answer",
    guards=[requires_startup],
    status_code=303,
)
async def answer_information(
    request: Request[Any, Any, Any],
    request_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
    workflow_gateway: NamedDependency[WorkflowGateway],
) -> Response[Any]:
    """The API's ``POST /api/info-requests/{id}/answer``, from the proposal's page."""
    _ = gettext_for(request)
    values = await read_form(request)
    proposal_id = values.get("proposal_id", "")
    if not proposal_id.isdigit():
        raise NotFoundException("no proposal")
    screening = ScreeningService(db_session, workflow_gateway)
    status_code = 422
    try:
        data = validate(
            InfoAnswerCreate, {"body": values.get("body", "").strip()}, _, MISSING_ANSWER
        )
        answered = await screening.answer_information(request_id, data.body, user)
    except FormInvalid as invalid:
        errors = invalid.errors
    except PhaseConflict as exc:
        message = N_("Answers are taken only during the review.")
        errors = {FORM: phase_refusal(request, exc, message)}
        status_code = 409
    except Conflict:
        errors = {
            FORM: _(
                "This question can no longer be answered: "
                "its reply deadline passed or the city closed it."
            )
        }
        status_code = 409
    else:
        flash(request, N_("Your answer is sent to the city."))
        return see_other(f"/proposals/{answered.proposal_id}#info-requests")
    return await _proposal_page(
        request,
        int(proposal_id),
        user,
        db_session,
        workflow_gateway,
        answer_form=Form({"body": values.get("body", "")}, errors),
        answering=request_id,
        status_code=status_code,
    )


proposal_handlers = [
    proposal_page,
    edit_proposal,
    save_proposal,
    confirm_withdrawal,
    withdraw,
    answer_information,
]
