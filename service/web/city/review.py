"""The review in the console: the proposals to screen and how their review goes, a
proposal's screening (eligible or not, with the reason the startup reads), and
assigning evaluators, several at once.

The same services as the API's ``POST /api/proposals/{id}/screening`` and
``POST /api/challenges/{id}/evaluators``; the proposals as ``GET
/api/challenges/{id}/proposals`` gives them to the city.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.proposals import ProposalPublic
from schemas.review import AssignEvaluatorsRequest, ScreeningRequest
from service.auth.identity import CurrentUser
from service.challenges.services import ChallengeService
from service.errors import Conflict, FieldError, PhaseConflict
from service.proposals.models import ProposalStatus
from service.proposals.services import ProposalService
from service.review.assignments import AssignmentService
from service.review.queries import evaluator_pool
from service.review.screening import ScreeningService
from service.web.city.common import checked, evaluator_accounts, phase_refusal
from service.web.forms import FORM, Form, FormInvalid, errors_from, read_form, validate
from service.web.i18n import N_
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash

SHOWN = 200  # proposals on the review page; the API pages beyond
TO_SCREEN = (ProposalStatus.SUBMITTED, ProposalStatus.INFO_REQUESTED)
MISSING_VERDICT = {"eligible": N_("Choose whether the proposal is eligible.")}
MISSING_EVALUATORS = {"evaluator_ids": N_("Choose at least one evaluator.")}
SCREENING_INSTEAD = N_("Proposals are screened while the challenge is in review.")
ASSIGNING_INSTEAD = N_("Evaluators are assigned while the challenge is in review.")


async def _review_page(
    request: Request[Any, Any, Any],
    challenge_id: int,
    user: CurrentUser,
    challenges: ChallengeService,
    assignments: AssignmentService,
    session: AsyncSession,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    challenge = await challenges.read(challenge_id, user)
    proposals: list[ProposalPublic] = []
    given, done = Counter[int](), Counter[int]()
    pool: list[int] = []
    if challenge.published_at is not None:
        found = await ProposalService(session).list_for_challenge(challenge_id, user, None, SHOWN)
        proposals = found.items
        for assignment in await assignments.list_for_city(challenge_id):
            if assignment.status == "active":
                given[assignment.proposal_id] += 1
                done[assignment.proposal_id] += assignment.complete
        pool = await evaluator_pool(session, challenge_id)
    evaluators = await evaluator_accounts(session)
    chosen = form.values.get("evaluator_ids", "") if form else ""
    return page(
        request,
        "city/review.html",
        status_code=status_code,
        challenge=challenge,
        to_screen=[p for p in proposals if p.status in TO_SCREEN],
        screened=[p for p in proposals if p.status not in TO_SCREEN],
        assigned=given,
        completed=done,
        evaluators=evaluators,
        pool=set(pool),
        chosen=chosen.split(",") if chosen else [str(i) for i in pool],
        form=form or Form({"per_proposal": ""}),
    )


@get("/challenges/{challenge_id:int}/review", name="city.review")
async def review(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_assignments: NamedDependency[AssignmentService],
    db_session: NamedDependency[AsyncSession],
    user: NamedDependency[CurrentUser],
) -> Template:
    return await _review_page(
        request, challenge_id, user, city_challenges, city_assignments, db_session
    )


@post("/challenges/{challenge_id:int}/evaluators", name="city.assign", status_code=303)
async def assign(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_assignments: NamedDependency[AssignmentService],
    db_session: NamedDependency[AsyncSession],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/challenges/{id}/evaluators``: every evaluator checked."""
    _ = gettext_for(request)
    sent = await request.form()
    ids = checked(sent.multi_items(), "evaluator_ids")
    per_proposal = str(sent.get("per_proposal", "") or "").strip()
    form = Form({"evaluator_ids": ",".join(ids), "per_proposal": per_proposal})
    body: dict[str, Any] = {"per_proposal": per_proposal}
    if ids:  # none checked is "missing", with its own message
        body["evaluator_ids"] = ids
    status_code = 422
    try:
        data = validate(AssignEvaluatorsRequest, body, _, MISSING_EVALUATORS)
        await city_assignments.assign(challenge_id, data.evaluator_ids, data.per_proposal, user)
    except FormInvalid as invalid:
        form.errors = {k.split(".")[0]: v for k, v in reversed(invalid.errors.items())}
    except FieldError as exc:
        form.errors = errors_from(exc, _)
    except PhaseConflict as exc:
        form.errors, status_code = {FORM: phase_refusal(exc, _, ASSIGNING_INSTEAD)}, 409
    else:
        flash(request, "The evaluators are assigned; each is told what to score.")
        return see_other(f"/city/challenges/{challenge_id}/review#evaluators")
    return await _review_page(
        request,
        challenge_id,
        user,
        city_challenges,
        city_assignments,
        db_session,
        form=form,
        status_code=status_code,
    )


# -- screening one proposal ---------------------------------------------------------------


async def _screening_page(
    request: Request[Any, Any, Any],
    proposal_id: int,
    user: CurrentUser,
    challenges: ChallengeService,
    session: AsyncSession,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    proposal = await ProposalService(session).read(proposal_id, user)
    challenge = await challenges.read(proposal.challenge_id, user)
    if form is None:
        verdict = {"eligible": "true", "ineligible": "false"}.get(proposal.status, "")
        form = Form({"eligible": verdict, "reason": proposal.screening_reason or ""})
    return page(
        request,
        "city/screening.html",
        status_code=status_code,
        challenge=challenge,
        proposal=proposal,
        form=form,
    )


@get("/proposals/{proposal_id:int}/screening", name="city.screening_form")
async def screening_form(
    request: Request[Any, Any, Any],
    proposal_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    db_session: NamedDependency[AsyncSession],
    user: NamedDependency[CurrentUser],
) -> Template:
    return await _screening_page(request, proposal_id, user, city_challenges, db_session)


@post("/proposals/{proposal_id:int}/screening", name="city.screen", status_code=303)
async def screen(
    request: Request[Any, Any, Any],
    proposal_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_screening: NamedDependency[ScreeningService],
    db_session: NamedDependency[AsyncSession],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/proposals/{id}/screening``, as a form."""
    _ = gettext_for(request)
    values = await read_form(request)
    form = Form({"eligible": values.get("eligible", ""), "reason": values.get("reason", "")})
    status_code = 422
    try:
        data = validate(ScreeningRequest, form.values, _, MISSING_VERDICT)
        proposal = await city_screening.screen(proposal_id, data.eligible, data.reason, user)
    except FormInvalid as invalid:
        form.errors = invalid.errors
        if "reason" in form.errors and form.values["eligible"] == "false":
            form.errors["reason"] = _("Say why it is not eligible: the startup reads it.")
    except PhaseConflict as exc:
        form.errors, status_code = {FORM: phase_refusal(exc, _, SCREENING_INSTEAD)}, 409
    except Conflict as exc:
        form.errors, status_code = {FORM: _(str(exc.detail))}, 409
    else:
        flash(request, "The proposal is screened; the startup is told.")
        return see_other(f"/city/challenges/{proposal.challenge_id}/review#to-screen")
    return await _screening_page(
        request,
        proposal_id,
        user,
        city_challenges,
        db_session,
        form=form,
        status_code=status_code,
    )


review_handlers = [review, assign, screening_form, screen]
