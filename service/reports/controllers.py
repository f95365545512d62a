from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from litestar import Controller, MediaType, Request, Response, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath, FromQuery
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.reports import OutcomeReport
from service.http.openapi import refusals
from service.reports.services import ReportService, report_csv

CSV = "text/csv"  # Litestar adds "; charset=utf-8" to every text/* type
CSV_EXAMPLE = (
    "section,subject,field,value\r\n"
    "challenge,Cooler streets in Noord,phase,closed\r\n"
    "pilot,Misting poles on the Buikslotermeerplein,status,scale_up\r\n"
    "pilot,Misting poles on the Buikslotermeerplein,decision 1,scale_up: Target met\r\n"
    "pilot,Misting poles on the Buikslotermeerplein,decision 1 plan: budget_eur,250000.0\r\n"
    "pilot,Misting poles on the Buikslotermeerplein,decision 1 plan: areas,Noord; Nieuw-West\r\n"
)


@dataclass
class ReportOperation(Operation):
    """The report's 200 in either form: JSON, or CSV (``?format=csv`` or ``Accept:
    text/csv``), one row per fact (section, subject, field, value)."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            ok.content[CSV] = OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.STRING), example=CSV_EXAMPLE
            )


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
            200: ResponseSpec(
                data_container=OutcomeReport, description="The report", generate_examples=False
            ),
            **refusals(409),  # the report is published when the challenge ends
        },
        operation_class=ReportOperation,
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
                media_type=CSV,
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        return Response(report, media_type=MediaType.JSON)
