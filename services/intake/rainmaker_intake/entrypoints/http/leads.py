"""Views for leads (read, erase, unmerge), referrals and the suppression list."""

from dataclasses import asdict
from typing import Any

from flask import request
from marshmallow import ValidationError

from rainmaker_intake.entrypoints.http import lead_schemas as s
from rainmaker_intake.entrypoints.http.context import db, settings
from rainmaker_intake.service_layer import erasure, referrals, suppressions, unmerge
from rainmaker_intake.service_layer import lists as svc
from rainmaker_web import Blueprint, PaginationParameters, ProblemError, Role, request_id
from rainmaker_web import require_roles as roles

blp = Blueprint("leads", __name__, description="Leads, referrals and suppressions")
_REFERRALS = s.ReferralBatchSchema()


@blp.route("/leads/<lead_id>")
@roles(Role.MARKETING, Role.MANAGER)
@blp.response(200, s.LeadSchema)
def get_lead(lead_id: str) -> dict[str, Any]:
    """A lead with every touch that brought it in and every de-duplication decision on it."""
    with db().reader() as session:
        return svc.lead_detail(session, lead_id)


@blp.route("/leads/<lead_id>", methods=["DELETE"])
@roles(Role.MARKETING)
@blp.response(204)
def erase_lead(lead_id: str) -> None:
    """Erase a person: their data leaves intake, only a hash stays; `lead.erased` follows."""
    with db().transaction() as session:
        erasure.erase(session, lead_id, request_id())


@blp.route("/leads/<lead_id>/unmerge", methods=["POST"])
@roles(Role.MARKETING)
@blp.arguments(s.UnmergeSchema)
@blp.response(201, s.UnmergedSchema)
def unmerge_lead(body: dict[str, Any], lead_id: str) -> dict[str, str]:
    """Undo one de-duplication decision: that row becomes its own lead again."""
    with db().transaction() as session:
        return {"lead_id": unmerge.unmerge(session, lead_id, body["decision_id"])}


@blp.route("/referrals", methods=["POST"])
@roles(Role.MARKETING)
@blp.response(201, s.ReferralResultsSchema)
@blp.doc(requestBody={"content": {"application/json": {"schema": "ReferralBatch"}}})
def add_referrals() -> dict[str, Any]:
    """Referral leads: one object, a JSON array, or {"leads": [...], "default_region": "DE"}."""
    body = request.get_json(silent=True)
    if isinstance(body, list) or (isinstance(body, dict) and "leads" not in body):
        body = {"leads": body if isinstance(body, list) else [body]}
    if not isinstance(body, dict):
        raise ProblemError(422, "The body must be a JSON object or array of referrals.")
    try:
        batch = _REFERRALS.load(body)
    except ValidationError as exc:
        raise ProblemError(
            422, "Some referrals are invalid.", errors={"json": exc.messages}
        ) from None
    with db().transaction() as session:
        results = referrals.add_referrals(
            session, batch["leads"], batch["default_region"], request_id(), settings().dedup
        )
    if all(r.status == "rejected" for r in results):
        raise ProblemError(
            422,
            "No referral could be accepted.",
            errors={
                "json": {"leads": {str(r.index): [asdict(e) for e in r.errors] for r in results}}
            },
        )
    return {"results": [asdict(r) for r in results]}


@blp.route("/suppressions", methods=["POST"])
@roles(Role.MARKETING)
@blp.arguments(s.SuppressionBatchSchema)
@blp.response(201, s.SuppressionSchema(many=True))
def add_suppressions(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Never let these emails or domains in (idempotent)."""
    with db().transaction() as session:
        return suppressions.add(session, body["items"])


@blp.route("/suppressions")
@roles(Role.MARKETING, Role.MANAGER)
@blp.arguments(s.SuppressionQuerySchema, location="query")
@blp.response(200, s.SuppressionSchema(many=True))
@blp.paginate()
def list_suppressions(
    query: dict[str, Any], pagination_parameters: PaginationParameters
) -> list[dict[str, Any]]:
    with db().reader() as session:
        items, total = suppressions.page(
            session,
            pagination_parameters.first_item,
            pagination_parameters.page_size,
            query["kind"],
        )
    pagination_parameters.item_count = total
    return items


@blp.route("/suppressions/<kind>/<path:value>", methods=["DELETE"])
@roles(Role.MARKETING)
@blp.response(204)
def remove_suppression(kind: str, value: str) -> None:
    if kind not in ("email", "domain"):
        raise ProblemError(404, f"no suppression kind {kind!r}; use email or domain")
    with db().transaction() as session:
        suppressions.remove(session, kind, value)


@blp.route("/lists/<list_id>/leads")
@roles(Role.MARKETING, Role.MANAGER)
@blp.response(200, s.LeadSchema(many=True))
@blp.paginate()
def list_leads(list_id: str, pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """The contacts a list brought or touched, with their touches and dedup decisions."""
    with db().reader() as session:
        items, total = svc.page_list_leads(
            session, list_id, pagination_parameters.first_item, pagination_parameters.page_size
        )
    pagination_parameters.item_count = total
    return items
