"""A pilot in the console: its agreement (dates, budget, milestones) while it is being
made, and the decision once it has been evaluated (scale up with a plan, extend to a
new end date, or stop), confirmed on a page of its own.

``PilotService`` as the API's ``POST /api/pilots/{id}/agreement`` and
``POST /api/pilots/{id}/decision`` call it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, get_args
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from schemas.pilots import AgreementRequest, DecisionRequest, PilotPublic, ProcurementRoute
from service.auth.identity import CurrentUser
from service.challenges.services import ChallengeService
from service.errors import Conflict, FieldError, PhaseConflict
from service.pilots.services import PilotService
from service.web.city.common import from_local, local_input, phase_refusal, time_zone
from service.web.forms import FORM, Form, FormInvalid, errors_from, read_form, validate
from service.web.i18n import N_, Gettext
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash
from service.workflow_gateway import WorkflowUnavailable

MIN_MILESTONE_ROWS, MAX_MILESTONES = 3, 50
AGREEMENT = ("starts_at", "ends_at", "budget_eur")
DECISION = ("decision", "reason", "new_end_at")
PLAN = ("budget_eur", "procurement_route", "areas", "starts_at", "ends_at", "notes")
PLAN_TIMES = ("starts_at", "ends_at")
ROUTES = get_args(ProcurementRoute)
ROUTE_NAMES = {
    "open_tender": N_("Open tender"),
    "restricted_tender": N_("Restricted tender"),
    "competitive_dialogue": N_("Competitive dialogue"),
    "innovation_partnership": N_("Innovation partnership"),
    "framework_agreement": N_("Framework agreement"),
    "direct_award": N_("Direct award"),
    "other": N_("Other"),
}
MISSING = {
    "starts_at": N_("Enter when the pilot starts."),
    "ends_at": N_("Enter when the pilot ends."),
    "budget_eur": N_("Enter the pilot's budget in euros."),
    "decision": N_("Choose what happens with the pilot."),
    "reason": N_("Give the reason for the decision: it is published."),
}
AGREEMENT_INSTEAD = N_("The agreement is set while the pilot is being agreed, before it runs.")
DECISION_INSTEAD = N_("The city decides once the pilot has ended and been evaluated.")


def _milestones(values: Mapping[str, str]) -> list[dict[str, str]]:
    numbers = sorted(
        {
            int(m.group(1))
            for key in values
            if (m := re.fullmatch(r"milestones\.(\d+)\.(title|due_at)", key))
            and int(m.group(1)) < 100
        }
    )
    rows = []
    for n in numbers:
        row = {f: values.get(f"milestones.{n}.{f}", "").strip() for f in ("title", "due_at")}
        if any(row.values()):
            rows.append(row)
    return rows


def agreement_echo(values: Mapping[str, str]) -> dict[str, str]:
    shown = {f: values.get(f, "") for f in AGREEMENT}
    for i, row in enumerate(_milestones(values)):
        shown.update({f"milestones.{i}.{f}": v for f, v in row.items()})
    return shown


def agreement_body(values: Mapping[str, str], zone: ZoneInfo) -> dict[str, Any]:
    body: dict[str, Any] = {f: values.get(f, "").strip() for f in AGREEMENT}
    for name in ("starts_at", "ends_at"):
        if body[name]:
            body[name] = from_local(body[name], zone)
    body["milestones"] = [
        {k: from_local(v, zone) if k == "due_at" else v for k, v in row.items() if v}
        for row in _milestones(values)
    ]
    return body


def _reword(errors: dict[str, str], gettext: Gettext) -> dict[str, str]:
    worded = dict(errors)
    said = worded.pop(FORM, None)
    if said and "ends_at" in said:
        worded["ends_at"] = gettext("The end must be after the start.")
    elif said:
        worded[FORM] = said
    if "milestones" in worded and "outside" in worded["milestones"]:
        worded["milestones"] = gettext("Each milestone is due between the start and the end.")
    if "plan" in worded:
        worded["plan"] = gettext("Scaling up needs its plan: budget, route, areas and start.")
    if "new_end_at" in worded and "needs" in worded["new_end_at"]:
        worded["new_end_at"] = gettext("Enter the new end date of the extended pilot.")
    return worded


def decision_echo(values: Mapping[str, str]) -> dict[str, str]:
    shown = {f: values.get(f, "") for f in DECISION}
    shown.update({f"plan.{f}": values.get(f"plan.{f}", "") for f in PLAN})
    return shown


def decision_body(values: Mapping[str, str], zone: ZoneInfo) -> dict[str, Any]:
    body: dict[str, Any] = {f: values.get(f, "").strip() for f in ("decision", "reason")}
    if body["decision"] == "extend" and values.get("new_end_at", "").strip():
        body["new_end_at"] = from_local(values["new_end_at"], zone)
    if body["decision"] == "scale_up":
        plan = {f: values.get(f"plan.{f}", "").strip() for f in PLAN}
        for name in PLAN_TIMES:
            if plan[name]:
                plan[name] = from_local(plan[name], zone)
        areas = [a.strip() for a in re.split(r"[\n,]", plan.pop("areas")) if a.strip()]
        body["plan"] = {**{k: v for k, v in plan.items() if v}, "areas": areas}
    return body


async def _pilot_page(
    request: Request[Any, Any, Any],
    pilot_id: int,
    user: CurrentUser,
    challenges: ChallengeService,
    pilots: PilotService,
    *,
    agreement: Form | None = None,
    decision: Form | None = None,
    add_row: bool = False,
    checking: bool = False,
    status_code: int = 200,
) -> Template:
    pilot = await pilots.read(pilot_id, user)
    challenge = await challenges.read(pilot.challenge_id, user)
    if agreement is None:
        agreement = Form(_agreement_values(pilot, time_zone(request)))
    rows = max(len(_milestones(agreement.values)) + 1, MIN_MILESTONE_ROWS)
    return page(
        request,
        "city/pilot.html",
        status_code=status_code,
        pilot=pilot,
        challenge=challenge,
        agreement=agreement,
        decision=decision or Form({"decision": "", "plan.procurement_route": ""}),
        milestone_rows=min(rows + (1 if add_row else 0), MAX_MILESTONES),
        routes=[(r, ROUTE_NAMES[r]) for r in ROUTES],
        checking=checking,
        all_errors=Form({}, {**agreement.errors, **(decision.errors if decision else {})}),
    )


def _agreement_values(pilot: PilotPublic, zone: ZoneInfo) -> dict[str, str]:
    values = {
        "starts_at": local_input(pilot.starts_at, zone),
        "ends_at": local_input(pilot.ends_at, zone),
        "budget_eur": f"{pilot.budget_eur.normalize():f}" if pilot.budget_eur is not None else "",
    }
    for i, m in enumerate(pilot.milestones):
        values[f"milestones.{i}.title"] = m.title
        values[f"milestones.{i}.due_at"] = local_input(m.due_at, zone)
    return values


@get("/pilots/{pilot_id:int}", name="city.pilot")
async def pilot_page(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_pilots: NamedDependency[PilotService],
    user: NamedDependency[CurrentUser],
) -> Template:
    return await _pilot_page(request, pilot_id, user, city_challenges, city_pilots)


@post("/pilots/{pilot_id:int}/agreement", name="city.agreement", status_code=303)
async def set_agreement(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_pilots: NamedDependency[PilotService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/pilots/{id}/agreement``, as a form."""
    _ = gettext_for(request)
    values = await read_form(request)
    form = Form(agreement_echo(values))
    if values.get("add_row") == "milestones":
        return await _pilot_page(
            request, pilot_id, user, city_challenges, city_pilots, agreement=form, add_row=True
        )
    status_code = 422
    try:
        data = validate(AgreementRequest, agreement_body(values, time_zone(request)), _, MISSING)
        await city_pilots.set_agreement(pilot_id, data, user)
    except FormInvalid as invalid:
        form.errors = _reword(invalid.errors, _)
    except FieldError as exc:
        form.errors = _reword(errors_from(exc, _), _)
    except PhaseConflict as exc:
        form.errors, status_code = {FORM: phase_refusal(exc, _, AGREEMENT_INSTEAD)}, 409
    except Conflict as exc:
        form.errors, status_code = {FORM: _(str(exc.detail))}, 409
    else:
        flash(request, "The agreement is set; the startup is asked to accept it.")
        return see_other(f"/city/pilots/{pilot_id}")
    return await _pilot_page(
        request,
        pilot_id,
        user,
        city_challenges,
        city_pilots,
        agreement=form,
        status_code=status_code,
    )


@post("/pilots/{pilot_id:int}/decision", name="city.decision", status_code=303)
async def decide(
    request: Request[Any, Any, Any],
    pilot_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_pilots: NamedDependency[PilotService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    """The API's ``POST /api/pilots/{id}/decision``: the decision, then a page to
    confirm it."""
    _ = gettext_for(request)
    values = await read_form(request)
    form = Form(decision_echo(values))
    if "change" in values:
        return await _pilot_page(
            request, pilot_id, user, city_challenges, city_pilots, decision=form
        )
    status_code = 422
    try:
        data = validate(DecisionRequest, decision_body(values, time_zone(request)), _, MISSING)
        if values.get("confirmed") != "yes":
            return await _pilot_page(
                request, pilot_id, user, city_challenges, city_pilots, decision=form, checking=True
            )
        await city_pilots.decide(pilot_id, data, user)
    except FormInvalid as invalid:
        form.errors = _reword(invalid.errors, _)
    except FieldError as exc:
        form.errors = _reword(errors_from(exc, _), _)
    except PhaseConflict as exc:
        form.errors, status_code = {FORM: phase_refusal(exc, _, DECISION_INSTEAD)}, 409
    except Conflict as exc:
        form.errors, status_code = {FORM: _(str(exc.detail))}, 409
    except WorkflowUnavailable:
        form.errors, status_code = {FORM: _("Try again in a minute: nothing was changed.")}, 503
    else:
        flash(request, "The decision is recorded and published; the startup is told.")
        return see_other(f"/city/pilots/{pilot_id}")
    return await _pilot_page(
        request,
        pilot_id,
        user,
        city_challenges,
        city_pilots,
        decision=form,
        status_code=status_code,
    )


pilot_handlers = [pilot_page, set_agreement, decide]
