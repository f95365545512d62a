"""The startup's proposal form (``/challenges/{id}/proposals/new``): submit through the
API's ``POST /api/challenges/{id}/proposals``, or save the form as a draft kept on the
server (``service/proposals/drafts.py``) and come back to it; discard the draft."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.challenges import ChallengePublic
from schemas.proposals import ProposalCreate
from service.auth.guards import requires_startup
from service.auth.identity import CurrentUser
from service.errors import FieldError, PhaseConflict
from service.proposals.drafts import ProposalDraftIn, discard_draft, draft_of, save_draft
from service.proposals.services import ProposalService
from service.web.forms import FORM, Form, FormInvalid, read_form, validate
from service.web.i18n import N_
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash
from service.web.startup import (
    MISSING_PROPOSAL,
    budget_errors,
    call_open,
    phase_refusal,
    proposal_values,
    read_challenge,
    time_left,
    typed_fields,
)

# -- the proposal form and its draft -----------------------------------------------------


async def _new_page(
    request: Request[Any, Any, Any],
    challenge: ChallengePublic,
    user: CurrentUser,
    db_session: AsyncSession,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    draft = await draft_of(db_session, challenge.id, user)
    if form is None:
        form = Form()
        if draft is not None:
            form.values = {
                "title": draft.title,
                "summary": draft.summary,
                "budget_eur": draft.budget_eur,
            }
            if draft.public_title_consent:
                form.values["public_title_consent"] = "true"
    return page(
        request,
        "startup/proposal_form.html",
        status_code=status_code,
        challenge=challenge,
        form=form,
        draft=draft,
        open_now=call_open(challenge),
        left=time_left(challenge.proposals_close_at),
    )


@get("/challenges/{challenge_id:int}/proposals/new", name="proposal.new", guards=[requires_startup])
async def new_proposal(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    challenge = await read_challenge(request, db_session, challenge_id, user)
    return await _new_page(request, challenge, user, db_session)


@post(
    "/challenges/{challenge_id:int}/proposals/new",
    name="proposal.new.submit",
    guards=[requires_startup],
    status_code=303,
)
async def send_proposal(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    """Either button of the proposal form: ``intent=draft`` keeps the draft (as typed),
    anything else submits through the API's ``POST /api/challenges/{id}/proposals``."""
    _ = gettext_for(request)
    values = await read_form(request)
    challenge = await read_challenge(request, db_session, challenge_id, user)
    typed = typed_fields(values)
    status_code = 422
    try:
        if values.get("intent") == "draft":
            draft = validate(ProposalDraftIn, typed, _)
            await save_draft(db_session, challenge_id, draft, user)
            flash(request, N_("Your draft is saved. Only you can see it; it is not sent yet."))
            return see_other(f"/challenges/{challenge_id}/proposals/new")
        data = validate(ProposalCreate, proposal_values(values), _, MISSING_PROPOSAL)
        created = await ProposalService(db_session).submit(challenge_id, data, user)
    except FormInvalid as invalid:
        errors = invalid.errors
    except FieldError as exc:
        errors = budget_errors(request, exc, challenge)
    except PhaseConflict as exc:
        message = N_(
            "Proposals can no longer be sent to this challenge. "
            "Look for another challenge that is open."
        )
        errors = {
            FORM: phase_refusal(request, exc, message, closes_at=challenge.proposals_close_at)
        }
        status_code = 409
    else:
        await discard_draft(db_session, challenge_id, user)
        flash(request, N_("Your proposal is sent. You can change it until the call closes."))
        return see_other(f"/proposals/{created.id}")
    return await _new_page(
        request, challenge, user, db_session, form=Form(typed, errors), status_code=status_code
    )


@post(
    "/challenges/{challenge_id:int}/proposals/draft/discard",
    name="proposal.draft.discard",
    guards=[requires_startup],
    status_code=303,
)
async def discard(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    await read_challenge(request, db_session, challenge_id, user)  # 404 as the form's page
    if await discard_draft(db_session, challenge_id, user):
        flash(request, N_("Your draft is discarded."))
    return see_other(f"/challenges/{challenge_id}/proposals/new")


proposal_form_handlers = [new_proposal, send_proposal, discard]
