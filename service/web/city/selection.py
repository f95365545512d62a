"""The ranking and the shortlist: the weighted and evaluator-normalised ranking with
its spread and disagreement flags, the same ranking under other weights ("what if"),
and approving the shortlist after checking it.

``SelectionService`` as the API's ``GET /api/challenges/{id}/ranking`` (``?weights=``)
and ``POST /api/challenges/{id}/shortlist`` call it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from schemas.challenges import ChallengePublic
from schemas.review import Ranking, ShortlistRequest
from service.auth.identity import CurrentUser
from service.challenges.services import ChallengeService
from service.errors import Conflict, FieldError, PhaseConflict
from service.review.selection import SelectionService
from service.web.city.common import checked, phase_refusal
from service.web.forms import FORM, Form, FormInvalid, errors_from, validate
from service.web.i18n import N_
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash
from service.workflow_gateway import WorkflowUnavailable

SHORTLIST_INSTEAD = N_("The shortlist is approved in the selection phase, after the review.")
RANKING_INSTEAD = N_("The ranking appears once the review has started.")
WHAT_IF = "weights."


def _what_if(request: Request[Any, Any, Any], challenge: ChallengePublic) -> dict[str, str]:
    """The weights typed in the what-if form (``weights.<criterion id>``), if any."""
    ids = {str(c.id) for c in challenge.criteria}
    return {
        key: value.strip()
        for key, value in request.query_params.items()
        if key.startswith(WHAT_IF) and key[len(WHAT_IF) :] in ids
    }


async def _ranking_page(
    request: Request[Any, Any, Any],
    challenge_id: int,
    user: CurrentUser,
    challenges: ChallengeService,
    selection: SelectionService,
    *,
    shortlist: Form | None = None,
    checking: bool = False,
    status_code: int = 200,
) -> Template:
    _ = gettext_for(request)
    challenge = await challenges.read(challenge_id, user)
    typed = _what_if(request, challenge)
    what_if = Form(typed)
    ranking: Ranking | None = None
    refusal = None
    try:
        if typed:
            text = ",".join(f"{key[len(WHAT_IF) :]}:{value}" for key, value in typed.items())
            try:
                ranking = await selection.ranking(challenge_id, text)
            except FieldError as exc:
                what_if.errors = {"weights": errors_from(exc, _).get("weights", str(exc.detail))}
        if ranking is None:
            ranking = await selection.ranking(challenge_id, None)
    except PhaseConflict as exc:
        refusal = phase_refusal(exc, _, RANKING_INSTEAD)
    published = {str(c.id): str(c.weight) for c in challenge.criteria}
    if not typed:
        what_if.values = {f"{WHAT_IF}{cid}": weight for cid, weight in published.items()}
    chosen = (shortlist.values.get("proposal_ids", "") if shortlist else "").split(",")
    if shortlist is None and ranking is not None:
        chosen = [str(item.proposal_id) for item in ranking.items[: challenge.max_pilots]]
    errors = {**what_if.errors, **(shortlist.errors if shortlist else {})}
    return page(
        request,
        "city/ranking.html",
        status_code=status_code,
        challenge=challenge,
        ranking=ranking,
        refusal=refusal,
        what_if=what_if,
        shortlist=shortlist or Form({"reason": ""}),
        chosen=[c for c in chosen if c],
        checking=checking,
        all_errors=Form({}, errors),
    )


@get("/challenges/{challenge_id:int}/ranking", name="city.ranking")
async def ranking(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_selection: NamedDependency[SelectionService],
    user: NamedDependency[CurrentUser],
) -> Template:
    return await _ranking_page(request, challenge_id, user, city_challenges, city_selection)


@post("/challenges/{challenge_id:int}/shortlist", name="city.shortlist", status_code=303)
async def approve_shortlist(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_selection: NamedDependency[SelectionService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/challenges/{id}/shortlist``: the proposals checked, then a
    page to confirm them."""
    _ = gettext_for(request)
    sent = await request.form()
    ids = checked(sent.multi_items(), "proposal_ids")
    reason = str(sent.get("reason", "") or "")
    form = Form({"proposal_ids": ",".join(ids), "reason": reason})
    if "change" in sent:
        return await _ranking_page(
            request, challenge_id, user, city_challenges, city_selection, shortlist=form
        )
    status_code = 422
    try:
        data = validate(ShortlistRequest, {"proposal_ids": ids, "reason": reason}, _)
        if not data.proposal_ids:
            raise FormInvalid({"proposal_ids": _("Choose the proposals that get a pilot.")})
        if sent.get("confirmed") != "yes":
            return await _ranking_page(
                request,
                challenge_id,
                user,
                city_challenges,
                city_selection,
                shortlist=form,
                checking=True,
            )
        await city_selection.approve_shortlist(challenge_id, data.proposal_ids, data.reason, user)
    except FormInvalid as invalid:
        form.errors = {k.split(".")[0]: v for k, v in reversed(invalid.errors.items())}
    except FieldError as exc:
        form.errors = {k.split(".")[0]: v for k, v in reversed(errors_from(exc, _).items())}
    except PhaseConflict as exc:
        form.errors, status_code = {FORM: phase_refusal(exc, _, SHORTLIST_INSTEAD)}, 409
    except Conflict as exc:
        form.errors, status_code = {FORM: _(str(exc.detail))}, 409
    except WorkflowUnavailable:
        form.errors, status_code = {FORM: _("Try again in a minute: nothing was changed.")}, 503
    else:
        flash(request, "The shortlist is approved: every startup is told, and the pilots begin.")
        return see_other(f"/city/challenges/{challenge_id}#pilots")
    return await _ranking_page(
        request,
        challenge_id,
        user,
        city_challenges,
        city_selection,
        shortlist=form,
        status_code=status_code,
    )


selection_handlers = [ranking, approve_shortlist]
