"""The startup's reports on its running pilot: completing a milestone with a note, and
filing a KPI report (a value per KPI, a note), each on a page of its own and through the
API's own ``PilotService``; the pilot's page (``startup_pilots.py``) shows the results."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import PilotStatus
from schemas.pilots import (
    KpiReportCreate,
    MilestoneCompletion,
    MilestonePublic,
    PilotPublic,
)
from service.auth.guards import requires_startup
from service.auth.identity import CurrentUser
from service.errors import Conflict, FieldError, PhaseConflict
from service.web.forms import FORM, Form, FormInvalid, errors_from, read_form, validate
from service.web.i18n import N_, Gettext, request_language
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash
from service.web.startup import number_from, phase_refusal
from service.web.startup_pilots import own_pilot, refused
from service.workflow_gateway import WorkflowGateway

NO_VALUES = N_("Enter the value of at least one indicator.")


def _milestone(pilot: PilotPublic, milestone_id: int) -> MilestonePublic:
    found = next((m for m in pilot.milestones if m.id == milestone_id), None)
    if found is None:
        raise NotFoundException(f"no milestone {milestone_id} in pilot {pilot.id}")
    return found


def _milestone_page(
    request: Request[Any, Any, Any],
    pilot: PilotPublic,
    milestone: MilestonePublic,
    form: Form,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "startup/milestone.html",
        status_code=status_code,
        pilot=pilot,
        milestone=milestone,
        form=form,
        completes=pilot.status == PilotStatus.RUNNING and milestone.completed_at is None,
    )


@get(
    "/pilots/{pilot_id:int}/milestones/{milestone_id:int}/complete",
    name="pilot.milestone",
    guards=[requires_startup],
)
async def milestone_form(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    milestone_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
    workflow_gateway: NamedDependency[WorkflowGateway],
) -> Template:
    _, pilot = await own_pilot(db_session, workflow_gateway, pilot_id, user)
    return _milestone_page(request, pilot, _milestone(pilot, milestone_id), Form())


@post(
    "/pilots/{pilot_id:int}/milestones/{milestone_id:int}/complete",
    name="pilot.milestone.submit",
    guards=[requires_startup],
    status_code=303,
)
async def complete_milestone(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    milestone_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
    workflow_gateway: NamedDependency[WorkflowGateway],
) -> Response[Any]:
    """The API's ``POST /api/pilots/{id}/milestones/{mid}/complete``, with its note."""
    _ = gettext_for(request)
    values = await read_form(request)
    pilots, pilot = await own_pilot(db_session, workflow_gateway, pilot_id, user)
    milestone = _milestone(pilot, milestone_id)
    status_code = 422
    try:
        data = validate(MilestoneCompletion, {"note": values.get("note", "")}, _)
        await pilots.complete_milestone(pilot_id, milestone_id, data.note, user)
    except FormInvalid as invalid:
        errors = invalid.errors
    except PhaseConflict as exc:
        message = N_("Milestones are completed while the pilot runs.")
        errors, status_code = {FORM: phase_refusal(request, exc, message)}, 409
    except Conflict as exc:
        errors, status_code = {FORM: refused(exc, _)}, 409
    else:
        flash(request, N_("The milestone is marked complete."))
        return see_other(f"/pilots/{pilot_id}#milestone-{milestone_id}")
    form = Form({"note": values.get("note", "")}, errors)
    return _milestone_page(request, pilot, milestone, form, status_code)


def _report_page(
    request: Request[Any, Any, Any], pilot: PilotPublic, form: Form, status_code: int = 200
) -> Template:
    return page(
        request,
        "startup/kpi_report.html",
        status_code=status_code,
        pilot=pilot,
        form=form,
        reports=pilot.status in {PilotStatus.RUNNING, PilotStatus.EVALUATION},
    )


@get("/pilots/{pilot_id:int}/kpi-reports/new", name="pilot.report", guards=[requires_startup])
async def report_form(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
    workflow_gateway: NamedDependency[WorkflowGateway],
) -> Template:
    _, pilot = await own_pilot(db_session, workflow_gateway, pilot_id, user)
    return _report_page(request, pilot, Form())


def _report_values(
    pilot: PilotPublic, values: dict[str, str], language: str
) -> tuple[dict[str, Any], list[int]]:
    """The API's KPI report from the form (a ``values.{i}.value`` field per KPI, in the
    order of the pilot's KPIs): the KPIs left empty are not reported. Also the form's
    index of each value sent, to put the API's errors on the right field."""
    sent, positions = [], []
    for index, result in enumerate(pilot.kpi_results):
        typed = values.get(f"values.{index}.value", "").strip()
        if typed:
            sent.append({"kpi_id": result.kpi_id, "value": number_from(typed, language)})
            positions.append(index)
    return {"values": sent, "note": values.get("note", "")}, positions


def _on_form_fields(errors: dict[str, str], positions: list[int], _: Gettext) -> dict[str, str]:
    """The API's ``values.{j}.…`` errors on the form's ``values.{i}.value`` fields."""
    shown: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] == "values" and len(parts) > 1 and parts[1].isdigit():
            shown.setdefault(f"values.{positions[int(parts[1])]}.value", message)
        elif key == "values":
            shown.setdefault("values.0.value", _(NO_VALUES))
        else:
            shown.setdefault(key, message)
    return shown


@post(
    "/pilots/{pilot_id:int}/kpi-reports/new",
    name="pilot.report.submit",
    guards=[requires_startup],
    status_code=303,
)
async def file_report(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
    workflow_gateway: NamedDependency[WorkflowGateway],
) -> Response[Any]:
    """The API's ``POST /api/pilots/{id}/kpi-reports``."""
    _ = gettext_for(request)
    values = await read_form(request)
    pilots, pilot = await own_pilot(db_session, workflow_gateway, pilot_id, user)
    body, positions = _report_values(pilot, values, request_language(request))
    status_code = 422
    try:
        data = validate(KpiReportCreate, body, _)
        await pilots.report_kpis(pilot_id, data, user)
    except FormInvalid as invalid:
        errors = _on_form_fields(invalid.errors, positions, _)
    except FieldError as exc:
        errors = _on_form_fields(errors_from(exc, _), positions, _)
    except PhaseConflict as exc:
        message = N_("KPI reports are filed while the pilot runs and while it is evaluated.")
        errors, status_code = {FORM: phase_refusal(request, exc, message)}, 409
    else:
        flash(request, N_("Your KPI report is filed."))
        return see_other(f"/pilots/{pilot_id}#kpis")
    typed = {k: v for k, v in values.items() if k.startswith("values.") or k == "note"}
    return _report_page(request, pilot, Form(typed, errors), status_code)


pilot_report_handlers = [milestone_form, complete_milestone, report_form, file_report]
