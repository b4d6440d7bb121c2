"""Work on one lead: an AM on their own leads, an admin on any; a manager only reads."""

from typing import Any

from rainmaker_pipeline.domain.model import ActivityKind, DealOutcome
from rainmaker_pipeline.domain.stages import Stage
from rainmaker_pipeline.entrypoints.http import schemas as s
from rainmaker_pipeline.entrypoints.http.context import actor, db
from rainmaker_pipeline.service_layer import assignment, queries
from rainmaker_pipeline.service_layer import leads as svc
from rainmaker_pipeline.service_layer.commands import (
    AssignLead,
    ChangeStage,
    CloseDeal,
    LogActivity,
)
from rainmaker_web import Blueprint, Role, request_id, require_roles

blp = Blueprint("leads", __name__, description="Stages, activities, deals and assignment")


@blp.route("/leads/<lead_id>")
@blp.response(200, s.LeadSchema)
@require_roles(Role.ACCOUNT_MANAGER, Role.MANAGER)
def get_lead(lead_id: str) -> dict[str, Any]:
    """A lead with its touches, stage history, activities and deals."""
    with db().reader() as session:
        return queries.get_lead(session, lead_id, actor().am_id)


@blp.route("/leads/<lead_id>/assignment", methods=["POST"])
@blp.arguments(s.AssignmentSchema)
@blp.response(200, s.LeadSummarySchema)
@require_roles(Role.ADMIN)
def assign_lead(data: dict[str, Any], lead_id: str) -> dict[str, Any]:
    """Assign the lead to an account manager (admin only; AMs claim through matching).

    A suspect becomes the AM's prospect; the AM must be active and below capacity."""
    with db().transaction() as session:
        return assignment.assign_lead(
            session, AssignLead(lead_id, data["am_id"]), actor(), request_id()
        )


@blp.route("/leads/<lead_id>/stage", methods=["POST"])
@blp.arguments(s.StageChangeSchema)
@blp.response(200, s.LeadSummarySchema)
@require_roles(Role.ACCOUNT_MANAGER)
def change_stage(data: dict[str, Any], lead_id: str) -> dict[str, Any]:
    """Move the lead to another stage; an illegal move is a 409 naming the allowed ones.

    Won and lost come from closing a deal (POST /leads/{lead_id}/deals)."""
    cmd = ChangeStage(lead_id, Stage(data["to_stage"]), data["reason"])
    with db().transaction() as session:
        return svc.change_stage(session, cmd, actor(), request_id())


@blp.route("/leads/<lead_id>/activities", methods=["POST"])
@blp.arguments(s.ActivityInSchema)
@blp.response(201, s.ActivitySchema)
@require_roles(Role.ACCOUNT_MANAGER)
def log_activity(data: dict[str, Any], lead_id: str) -> dict[str, Any]:
    """Log a call, meeting, quote, contract, email or note (announced as `activity.logged`)."""
    cmd = LogActivity(lead_id, ActivityKind(data["kind"]), data["notes"], data["occurred_at"])
    with db().transaction() as session:
        return svc.log_activity(session, cmd, actor(), request_id())


@blp.route("/leads/<lead_id>/deals", methods=["POST"])
@blp.arguments(s.DealInSchema)
@blp.response(201, s.DealSchema)
@require_roles(Role.ACCOUNT_MANAGER)
def close_deal(data: dict[str, Any], lead_id: str) -> dict[str, Any]:
    """Close a deal on an opportunity: the lead becomes won or lost (`deal.closed`)."""
    cmd = CloseDeal(
        lead_id=lead_id,
        outcome=DealOutcome(data["outcome"]),
        value_minor=data["value_minor"],
        currency=data["currency"],
        product=data["product"],
        closed_at=data["closed_at"],
    )
    with db().transaction() as session:
        return svc.close_deal(session, cmd, actor(), request_id())
