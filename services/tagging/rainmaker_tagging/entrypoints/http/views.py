"""Tagging's HTTP views: translate requests into commands and queries, nothing more."""

from typing import Any

from flask import Response, current_app

from rainmaker_db import Database
from rainmaker_tagging.domain.model import FieldError, RuleField, RuleKind
from rainmaker_tagging.entrypoints.http import schemas as s
from rainmaker_tagging.service_layer import lead_tags, rules, taxonomy
from rainmaker_web import (
    Blueprint,
    PaginationParameters,
    ProblemError,
    Role,
    current_principal,
    problem_response,
    request_id,
    require_roles,
)

blp = Blueprint("tagging", __name__, description="Taxonomy, rules and lead tags")


def _field_error(exc: FieldError) -> Response:
    """422 with the message under the field at fault, like the schema's own errors."""
    errors = {"json": {exc.field: [str(exc)]}} if exc.field else None
    return problem_response(422, str(exc), errors=errors)


# On the blueprint, so it comes before the app's plain mapping of these errors to 422.
blp.register_error_handler(FieldError, _field_error)


def _db() -> Database:
    db: Database = current_app.extensions["rainmaker_tagging.db"]
    return db


@blp.route("/taxonomy")
@require_roles(Role.MARKETING, Role.MANAGER)
@blp.arguments(s.TaxonomyQuerySchema, location="query")
@blp.response(200, s.TaxonomyNodeSchema(many=True))
@blp.paginate()
def list_taxonomy(query: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
    """The taxonomy, by tag; `namespace` narrows it to one namespace."""
    with _db().reader() as session:
        nodes, total = taxonomy.list_taxonomy(
            session,
            namespace=query["namespace"],
            offset=pagination_parameters.first_item,
            limit=pagination_parameters.page_size,
        )
    pagination_parameters.item_count = total
    return nodes


@blp.route("/taxonomy", methods=["POST"])
@require_roles(Role.ADMIN)
@blp.arguments(s.TaxonomyNodeSchema)
@blp.response(201, s.TaxonomyNodeSchema)
def add_tag(body: dict[str, Any]) -> dict[str, Any]:
    """Add a tag to the taxonomy (admin)."""
    with _db().transaction() as session:
        return taxonomy.add_tag(session, taxonomy.AddTag(**body))


@blp.route("/rules")
@require_roles(Role.MARKETING, Role.MANAGER)
@blp.arguments(s.RuleQuerySchema, location="query")
@blp.response(200, s.RuleSchema(many=True))
@blp.paginate()
def list_rules(query: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
    """The tagging rules, oldest first; filter by `tag` and `enabled`."""
    with _db().reader() as session:
        found, total = rules.list_rules(
            session,
            tag=query["tag"],
            enabled=query["enabled"],
            offset=pagination_parameters.first_item,
            limit=pagination_parameters.page_size,
        )
    pagination_parameters.item_count = total
    return found


@blp.route("/rules", methods=["POST"])
@require_roles(Role.MARKETING)
@blp.arguments(s.RuleSchema)
@blp.response(201, s.RuleSchema)
def create_rule(body: dict[str, Any]) -> dict[str, Any]:
    """Add a rule; it applies to leads tagged from now on (`rainmaker tagging retag --all`)."""
    cmd = rules.CreateRule(
        tag=body["tag"],
        field=RuleField(body["field"]),
        pattern=body["pattern"],
        kind=RuleKind(body["kind"]),
        confidence=body["confidence"],
        enabled=body["enabled"],
    )
    with _db().transaction() as session:
        return rules.create_rule(session, cmd)


@blp.route("/rules/<rule_id>", methods=["PATCH"])
@require_roles(Role.MARKETING)
@blp.arguments(s.RuleChangeSchema)
@blp.response(200, s.RuleSchema)
def change_rule(body: dict[str, Any], rule_id: str) -> dict[str, Any]:
    """Enable or disable a rule, or change its confidence."""
    # Parsed here, not by an `int:` converter, so a bad id still meets auth first (401/403).
    if not (rule_id.isascii() and rule_id.isdigit()) or len(rule_id) > 18:
        raise ProblemError(404, f"rule {rule_id} not found")
    with _db().transaction() as session:
        return rules.change_rule(session, rules.ChangeRule(int(rule_id), **body))


@blp.route("/leads/<lead_id>/tags")
@require_roles(Role.MARKETING, Role.MANAGER)
@blp.response(200, s.LeadTagsSchema)
def get_lead_tags(lead_id: str) -> dict[str, Any]:
    """A lead's tags, each with its origin, confidence and reason, and the evidence behind them."""
    with _db().reader() as session:
        return lead_tags.get_tags(session, lead_id)


@blp.route("/leads/<lead_id>/tags", methods=["PUT"])
@require_roles(Role.MARKETING)
@blp.arguments(s.TagCorrectionSchema)
@blp.response(200, s.LeadTagsSchema)
def correct_lead_tags(body: dict[str, Any], lead_id: str) -> dict[str, Any]:
    """Replace the lead's manual tags (and rejections); they become training examples."""
    cmd = lead_tags.CorrectTags(
        lead_id=lead_id,
        tags=tuple(body["tags"]),
        rejected=tuple(body["rejected"]),
        key_id=current_principal().key_id,
    )
    with _db().transaction() as session:
        return lead_tags.correct_tags(session, cmd, request_id())
