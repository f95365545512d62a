"""A pilot's page (``/pilots/{id}``) and the startup's actions on its own pilot.

The page is public, as ``GET /api/pilots/{id}`` is, and shows what the API gives this
viewer (the startup's own notes only to the city, the startup and the pilot's
evaluators): the agreement, milestones, and each KPI's latest value against its target
as a bar with the numbers beside it. The startup running the pilot accepts or declines
the agreement (declining on a page of its own, with the reason), completes milestones
with a note and files KPI reports, each through the API's own ``PilotService``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import PilotStatus, Role
from schemas.pilots import (
    DeclineRequest,
    KpiResult,
    PilotPublic,
)
from service.auth.guards import requires_startup
from service.auth.identity import CurrentUser
from service.challenges.search import challenge_titles
from service.errors import Conflict, PhaseConflict
from service.pilots.controllers import provide_pilot_service, provide_pilot_view
from service.pilots.services import PilotService
from service.web.forms import FORM, Form, FormInvalid, read_form, validate
from service.web.i18n import N_, Gettext
from service.web.rendering import gettext_for, page, see_other
from service.web.residents import pilot_residents_context
from service.web.session import flash
from service.web.startup import phase_refusal
from service.workflow_gateway import WorkflowGateway

MISSING_REASON = {"reason": N_("Tell the city why you decline the agreement.")}

# The domain's refusals a startup may meet here, for the catalogue (shown translated).
REFUSALS = (
    N_("the city has not set the agreement yet"),
    N_("the agreed start date has passed; ask the city for new dates"),
    N_("this milestone is already complete"),
)


def kpi_bars(results: list[KpiResult]) -> list[dict[str, Any]]:
    """Each KPI with the widths (0-100) of its value's bar and of its target's mark, on a
    scale a quarter past the larger of the two, so both fit and the gap shows."""
    bars = []
    for result in results:
        value = max(result.value or 0.0, 0.0)
        scale = max(result.target, value) * 1.25 or 1.0
        bars.append(
            {
                "result": result,
                "value_width": round(value / scale * 100, 1),
                "target_at": round(max(result.target, 0.0) / scale * 100, 1),
            }
        )
    return bars


def refused(exc: Conflict, _: Gettext) -> str:
    message = _(str(exc.detail))
    return message[:1].upper() + message[1:]


async def _pilot_page(
    request: Request[Any, Any, Any],
    pilot_id: int,
    viewer: CurrentUser | None,
    db_session: AsyncSession,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    # The read of GET /api/pilots/{id}: notes only for who may read them.
    pilot = await provide_pilot_view(db_session).read(pilot_id, viewer)
    titles = await challenge_titles(db_session, [pilot.challenge_id])
    owner = viewer is not None and viewer.role == Role.STARTUP and viewer.id == pilot.startup_id
    return page(
        request,
        "startup/pilot.html",
        status_code=status_code,
        pilot=pilot,
        challenge_title=titles.get(pilot.challenge_id, ""),
        owner=owner,
        answers_agreement=owner and _awaits_answer(pilot),
        completes=owner and pilot.status == PilotStatus.RUNNING,
        reports=owner and pilot.status in {PilotStatus.RUNNING, PilotStatus.EVALUATION},
        bars=kpi_bars(pilot.kpi_results),
        kpi_names={k.kpi_id: k for k in pilot.kpi_results},
        form=form or Form(),
        **await pilot_residents_context(request, pilot, viewer, db_session),
    )


def _awaits_answer(pilot: PilotPublic) -> bool:
    """Whether the page offers accept and decline (the domain decides on each)."""
    return (
        pilot.status == PilotStatus.AGREEMENT
        and pilot.agreement_set_at is not None
        and pilot.accepted_at is None
        and pilot.declined_at is None
    )


@get("/pilots/{pilot_id:int}", name="pilot")
async def pilot_page(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    viewer: NamedDependency[CurrentUser | None],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _pilot_page(request, pilot_id, viewer, db_session)


@post(
    "/pilots/{pilot_id:int}/accept", name="pilot.accept", guards=[requires_startup], status_code=303
)
async def accept(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
    workflow_gateway: NamedDependency[WorkflowGateway],
) -> Response[Any]:
    """The API's ``POST /api/pilots/{id}/accept``."""
    _ = gettext_for(request)
    pilots = provide_pilot_service(db_session, workflow_gateway)
    try:
        await pilots.accept(pilot_id, user)
    except PhaseConflict as exc:
        message = N_("The agreement was already answered; this page shows where the pilot is.")
        error = phase_refusal(request, exc, message)
    except Conflict as exc:
        error = refused(exc, _)
    else:
        flash(request, N_("You accepted the agreement. The pilot starts on its start date."))
        return see_other(f"/pilots/{pilot_id}")
    return await _pilot_page(
        request,
        pilot_id,
        user,
        db_session,
        form=Form({}, {FORM: error}),
        status_code=409,
    )


def _decline_page(
    request: Request[Any, Any, Any], pilot: PilotPublic, form: Form, status_code: int = 200
) -> Template:
    return page(
        request,
        "startup/decline.html",
        status_code=status_code,
        pilot=pilot,
        form=form,
        answers_agreement=_awaits_answer(pilot),
    )


async def own_pilot(
    db_session: AsyncSession, gateway: WorkflowGateway, pilot_id: int, user: CurrentUser
) -> tuple[PilotService, PilotPublic]:
    """The pilot as the API shows it to this startup; 403 if it is another's (the
    API's own check, made when the startup acts)."""
    pilots = provide_pilot_service(db_session, gateway)
    pilot = await pilots.read(pilot_id, user)
    if pilot.startup_id != user.id:
        raise PermissionDeniedException("only the startup running this pilot can do this")
    return pilots, pilot


@get("/pilots/{pilot_id:int}/decline", name="pilot.decline", guards=[requires_startup])
async def confirm_decline(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
    workflow_gateway: NamedDependency[WorkflowGateway],
) -> Template:
    _, pilot = await own_pilot(db_session, workflow_gateway, pilot_id, user)
    return _decline_page(request, pilot, Form())


@post(
    "/pilots/{pilot_id:int}/decline",
    name="pilot.decline.submit",
    guards=[requires_startup],
    status_code=303,
)
async def decline(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
    workflow_gateway: NamedDependency[WorkflowGateway],
) -> Response[Any]:
    """The API's ``POST /api/pilots/{id}/decline``, from its confirmation page."""
    _ = gettext_for(request)
    values = await read_form(request)
    pilots, pilot = await own_pilot(db_session, workflow_gateway, pilot_id, user)
    status_code = 422
    try:
        data = validate(
            DeclineRequest, {"reason": values.get("reason", "").strip()}, _, MISSING_REASON
        )
        await pilots.decline(pilot_id, data.reason, user)
    except FormInvalid as invalid:
        errors = invalid.errors
    except PhaseConflict as exc:
        message = N_("The agreement can no longer be declined. Tell the city if you cannot go on.")
        errors, status_code = {FORM: phase_refusal(request, exc, message)}, 409
    except Conflict as exc:
        errors, status_code = {FORM: refused(exc, _)}, 409
    else:
        flash(request, N_("You declined the agreement. The city is told."))
        return see_other(f"/pilots/{pilot_id}")
    return _decline_page(
        request, pilot, Form({"reason": values.get("reason", "")}, errors), status_code
    )


pilot_handlers = [pilot_page, accept, confirm_decline, decline]
