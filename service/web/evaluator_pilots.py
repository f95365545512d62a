"""The evaluator's pilot evaluation page: the pilot's KPI results against their targets,
its milestones and what residents said and rated, beside a ``score`` (0-10) and
``comment`` form; the API's ``PUT /api/pilots/{id}/evaluation`` as a form.

The pilot is read through the API's own ``PilotService.read`` (a pilot's evaluators
read the startup's notes; nobody here reads another evaluator's score), and saved with
its ``evaluate``; who evaluates a pilot is ``service.pilots.queries``' one rule.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.pilots import PilotEvaluationRequest
from schemas.residents import InputStage
from service.auth.guards import requires_evaluator
from service.auth.identity import CurrentUser
from service.challenges.search import challenge_titles
from service.errors import PhaseConflict
from service.pilots.controllers import provide_pilot_service
from service.pilots.queries import OwnPilotEvaluation, own_pilot_evaluation
from service.pilots.services import PilotService
from service.residents.controllers import provide_input_service
from service.residents.services import InputService
from service.web.forms import FORM, Form, FormInvalid, read_form, validate
from service.web.i18n import N_
from service.web.labels import PILOT_STATUS_NAMES
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash

RESIDENT_INPUT_SHOWN = 20
MISSING_SCORE = {"score": N_("Give the pilot a score from 0 to 10.")}

evaluator_pilot_dependencies = {
    "pilots": Provide(provide_pilot_service, sync_to_thread=False),
    "inputs": Provide(provide_input_service, sync_to_thread=False),
}


async def _own(db_session: AsyncSession, pilot_id: int, user: CurrentUser) -> OwnPilotEvaluation:
    """The evaluator's part in the pilot; 404 without the pilot, 403 for an evaluator
    who does not evaluate it (as the API's ``evaluate`` refuses them)."""
    own = await own_pilot_evaluation(db_session, pilot_id, user.id)
    if own is None:
        raise NotFoundException(f"no pilot {pilot_id}")
    if not own.evaluates:
        raise PermissionDeniedException("you are not an evaluator of this pilot")
    return own


async def _pilot_page(
    request: Request[Any, Any, Any],
    pilot_id: int,
    user: CurrentUser,
    pilots: PilotService,
    inputs: InputService,
    db_session: AsyncSession,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    own = await _own(db_session, pilot_id, user)
    pilot = await pilots.read(pilot_id, user)
    said = await inputs.list_for_challenge(
        pilot.challenge_id,
        user,
        stage=InputStage.PILOT,
        pilot_id=pilot_id,
        status=None,
        overdue=False,
        reported=False,
        cursor=None,
        limit=RESIDENT_INPUT_SHOWN,
    )
    titles = await challenge_titles(db_session, [pilot.challenge_id])
    saved = {"score": "" if own.score is None else str(own.score), "comment": own.comment}
    return page(
        request,
        "evaluator/pilot.html",
        status_code=status_code,
        pilot=pilot,
        own=own,
        challenge_title=titles.get(pilot.challenge_id, ""),
        resident_inputs=said.items,
        more_inputs=said.next_cursor is not None,
        form=form or Form(saved),
    )


@get("/evaluator/pilots/{pilot_id:int}", name="evaluator.pilot", guards=[requires_evaluator])
async def pilot_evaluation(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    pilots: NamedDependency[PilotService],
    inputs: NamedDependency[InputService],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _pilot_page(request, pilot_id, user, pilots, inputs, db_session)


@post(
    "/evaluator/pilots/{pilot_id:int}",
    name="evaluator.evaluate_pilot",
    guards=[requires_evaluator],
    status_code=303,
)
async def evaluate_pilot(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    pilots: NamedDependency[PilotService],
    inputs: NamedDependency[InputService],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    """The API's ``PUT /api/pilots/{id}/evaluation``, as a form."""
    _ = gettext_for(request)
    await _own(db_session, pilot_id, user)
    values = await read_form(request)
    typed = {"score": values.get("score", ""), "comment": values.get("comment", "")}
    try:
        data = validate(PilotEvaluationRequest, typed, _, MISSING_SCORE)
        await pilots.evaluate(pilot_id, data.score, data.comment, user)
    except FormInvalid as invalid:
        errors, status_code = invalid.errors, 422
    except PhaseConflict as exc:
        extra = exc.extra if isinstance(exc.extra, dict) else {}
        status = {s.value: name for s, name in PILOT_STATUS_NAMES.items()}
        name = _(status.get(str(extra.get("phase", "")), str(extra.get("phase", ""))))
        message = _(
            "A pilot is scored once it has ended and until the city decides, and this one "
            "is now \u201c%(status)s\u201d, so your score was not saved. Nothing else to do "
            "here; the city tells you when a pilot awaits your evaluation."
        )
        errors, status_code = {FORM: message % {"status": name}}, 409
    else:
        flash(request, "Your evaluation of the pilot is saved. You can change it until "
              "the city decides.")  # fmt: skip
        return see_other(f"/evaluator/pilots/{pilot_id}#evaluation")
    form = Form(typed, errors)
    return await _pilot_page(
        request, pilot_id, user, pilots, inputs, db_session, form=form, status_code=status_code
    )


evaluator_pilot_handlers = [pilot_evaluation, evaluate_pilot]
