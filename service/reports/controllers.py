from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, MediaType, Request, Response, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.reports import OutcomeReport
from service.reports.services import ReportService, report_csv


def provide_report_service(db_session: NamedDependency[AsyncSession]) -> ReportService:
    return ReportService(db_session)


class ReportController(Controller):
    path = "/api/challenges/{challenge_id:int}/report"
    tags = ["reports"]
    dependencies = {"reports": Provide(provide_report_service, sync_to_thread=False)}

    @get(
        "/",
        summary="The public outcome report (JSON; CSV with ?format=csv or Accept: text/csv)",
        responses={
            200: ResponseSpec(data_container=OutcomeReport, description="The report"),
        },
        response_headers=[ResponseHeader(name="Content-Disposition", documentation_only=True)],
    )
    async def report(
        self,
        challenge_id: FromPath[int],
        reports: NamedDependency[ReportService],
        request: Request[Any, Any, Any],
        format: FromQuery[Literal["json", "csv"] | None] = None,
    ) -> Response[Any]:
        report = await reports.outcome_report(challenge_id)
        wants_csv = format == "csv" or (
            format is None and "text/csv" in request.headers.get("accept", "")
        )
        if wants_csv:
            filename = f"challenge-{challenge_id}-report.csv"
            return Response(
                report_csv(report),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        return Response(report, media_type=MediaType.JSON)
