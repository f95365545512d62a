"""The outcome report's page (``/challenges/{id}/report``): what was tried, each pilot's
KPI results and the city's decisions with their reasons, what residents said and "you
said, we did", with links to the same report as JSON and CSV from the API.

It reads ``ReportService.outcome_report``, the API's own report, so the page and the
downloads never differ; before the challenge ends there is no report (409, as the API).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.pilots import KpiResult
from service.errors import PhaseConflict
from service.reports.controllers import provide_report_service
from service.web.i18n import N_
from service.web.rendering import gettext_for, page

DECISION_NAMES = {
    "scale_up": N_("Scale up"),
    "extend": N_("Extend"),
    "stop": N_("Stop"),
}
PROCUREMENT_ROUTES = {
    "open_tender": N_("Open tender"),
    "restricted_tender": N_("Restricted tender"),
    "competitive_dialogue": N_("Competitive dialogue"),
    "innovation_partnership": N_("Innovation partnership"),
    "framework_agreement": N_("Framework agreement"),
    "direct_award": N_("Direct award"),
    "other": N_("Another route"),
}
PROPOSAL_OUTCOMES = {
    "selected": N_("Selected for a pilot"),
    "not_selected": N_("Not selected"),
    "eligible": N_("Eligible"),
    "ineligible": N_("Not eligible"),
    "withdrawn": N_("Withdrawn"),
    "submitted": N_("Submitted"),
}


def kpi_bar(result: KpiResult) -> dict[str, float]:
    """The widths (0-100) of a KPI's value bar and its target's mark, on a scale a
    quarter past the larger of the two, so both fit and the gap shows."""
    value = max(result.value or 0.0, 0.0)
    scale = max(result.target, value) * 1.25 or 1.0
    return {
        "value_width": round(value / scale * 100, 1),
        "target_at": round(max(result.target, 0.0) / scale * 100, 1),
    }


@get("/challenges/{challenge_id:int}/report", name="challenge.report")
async def outcome_report(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    """The API's ``GET /api/challenges/{id}/report``, as a page."""
    reports = provide_report_service(db_session)
    try:
        report = await reports.outcome_report(challenge_id)
    except PhaseConflict:
        _ = gettext_for(request)
        detail = _("The outcome report is published when the challenge ends.")
        return page(request, "error.html", status_code=409, status=409, detail=detail)
    return page(
        request,
        "reports/report.html",
        report=report,
        api_path=f"/api/challenges/{challenge_id}/report",
        kpi_bar=kpi_bar,
        decision_names=DECISION_NAMES,
        procurement_routes=PROCUREMENT_ROUTES,
        proposal_outcomes=PROPOSAL_OUTCOMES,
    )


report_handlers = [outcome_report]
