"""Matching's HTTP views: translate requests into commands and queries, nothing more."""

from typing import Any

from flask import current_app
from marshmallow import RAISE

from rainmaker_db import Database
from rainmaker_matching.domain.commands import ClaimProspect, ProspectFilter, SuggestProspects
from rainmaker_matching.domain.model import Claim
from rainmaker_matching.entrypoints.http import schemas as s
from rainmaker_matching.service_layer import claims as claims_svc
from rainmaker_matching.service_layer import suggestions as suggestions_svc
from rainmaker_web import (
    Blueprint,
    PaginationParameters,
    Role,
    current_principal,
    ensure_own_am,
    request_id,
    require_roles,
)

blp = Blueprint("matching", __name__, description="Ranked prospects and claims per account manager")


def _db() -> Database:
    db: Database = current_app.extensions["rainmaker_matching.db"]
    return db


@blp.route("/account-managers/<am_id>/prospects")
@blp.arguments(s.ProspectQuerySchema, location="query", unknown=RAISE)
@blp.response(200, s.ProspectListSchema)
@require_roles(Role.ACCOUNT_MANAGER, Role.MANAGER)
def list_prospects(args: dict[str, Any], am_id: str) -> suggestions_svc.ProspectList:
    """The AM's next prospects, best first, each with its score and the reasons for it.

    Empty, with `capacity_reached`, while the AM holds as many open leads as their capacity.
    """
    ensure_own_am(current_principal(), am_id)
    query = SuggestProspects(
        am_id=am_id,
        limit=args["limit"],
        filter=ProspectFilter(
            tags=tuple(args["tags"]),
            industry=args["industry"],
            region=args["region"],
            source_type=args["source"],
            source_id=args["source_id"],
        ),
    )
    with _db().reader() as session:
        return suggestions_svc.suggest(session, query)


@blp.route("/account-managers/<am_id>/claims", methods=["POST"])
@blp.arguments(s.ClaimRequestSchema)
@blp.response(201, s.ClaimSchema)
@blp.alt_response(200, schema=s.ClaimSchema, description="The AM already holds this prospect")
@blp.alt_response(404, description="Unknown account manager or prospect")
@blp.alt_response(409, description="Held by another AM, closed, or the AM is at capacity")
@require_roles(Role.ACCOUNT_MANAGER)
def claim_prospect(body: dict[str, Any], am_id: str) -> tuple[Claim, int]:
    """Claim a prospect: it becomes this AM's and leaves everyone else's list."""
    ensure_own_am(current_principal(), am_id, write=True)
    with _db().transaction() as session:
        claim, created = claims_svc.claim_prospect(
            session, ClaimProspect(am_id=am_id, lead_id=body["lead_id"]), request_id()
        )
    return claim, 201 if created else 200


@blp.route("/account-managers/<am_id>/claims")
@blp.response(200, s.HeldClaimSchema(many=True))
@blp.paginate()
@require_roles(Role.ACCOUNT_MANAGER, Role.MANAGER)
def list_claims(am_id: str, pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """The AM's claims, newest first, with the state of each lead."""
    ensure_own_am(current_principal(), am_id)
    with _db().reader() as session:
        items, total = claims_svc.list_claims(
            session, am_id, pagination_parameters.first_item, pagination_parameters.page_size
        )
    pagination_parameters.item_count = total
    return items
