"""Costs per source and the source ROI report (management and marketing)."""

from typing import Any

from flask import Response, request

from rainmaker_pipeline.domain.attribution import Attribution, GroupBy
from rainmaker_pipeline.entrypoints.http import schemas as s
from rainmaker_pipeline.entrypoints.http.context import db, settings
from rainmaker_pipeline.service_layer import costs as cost_svc
from rainmaker_pipeline.service_layer import reports as report_svc
from rainmaker_pipeline.service_layer.commands import RecordCost
from rainmaker_web import (
    Blueprint,
    PaginationParameters,
    Role,
    csv_response,
    require_roles,
)

blp = Blueprint("reports", __name__, description="Source costs and ROI reports")


@blp.route("/costs", methods=["POST"])
@blp.arguments(s.CostInSchema)
@blp.response(201, s.CostSchema)
@require_roles(Role.MARKETING)
def record_cost(data: dict[str, Any]) -> dict[str, Any]:
    """Record spend on a source (an event, a referral programme, a list's extra fees)."""
    with db().transaction() as session:
        return cost_svc.record_cost(session, RecordCost(**data))


@blp.route("/costs")
@blp.response(200, s.CostSchema(many=True))
@blp.paginate()
@require_roles(Role.MARKETING, Role.MANAGER)
def list_costs(pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """Recorded costs, newest first."""
    with db().reader() as session:
        rows, total = cost_svc.list_costs(
            session,
            offset=pagination_parameters.first_item,
            limit=pagination_parameters.page_size,
        )
    pagination_parameters.item_count = total
    return rows


@blp.route("/reports/sources")
@blp.arguments(s.SourceReportQuerySchema, location="query")
@blp.response(200, s.SourceReportSchema)
@require_roles(Role.MANAGER, Role.MARKETING)
def source_report(query: dict[str, Any]) -> dict[str, Any] | Response:
    """Per source: cost, leads, contacted, opportunities, won, revenue, cost per lead, cost
    per won deal and ROI, credited by first- or last-touch attribution.

    Send `Accept: text/csv` for the rows as a CSV download."""
    currency = query["currency"] or settings().report_currency
    with db().reader() as session:
        report = report_svc.source_report(
            session, Attribution(query["attribution"]), GroupBy(query["group_by"]), currency
        )
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        # A CSV row travels alone (pasted, filtered): it says its currency and attribution,
        # which the JSON gives once.
        extra = [currency, report["attribution"]]
        rows = ([*(row[c] for c in report_svc.COLUMNS), *extra] for row in report["rows"])
        filename = f"sources-{report['group_by']}-{report['attribution']}-{currency}.csv"
        return csv_response(rows, (*report_svc.COLUMNS, "currency", "attribution"), filename)
    return report
