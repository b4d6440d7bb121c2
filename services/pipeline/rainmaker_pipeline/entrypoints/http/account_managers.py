"""Account managers: admins write them, managers read them, an AM reads their own."""

from typing import Any

from rainmaker_pipeline.entrypoints.http import schemas as s
from rainmaker_pipeline.entrypoints.http.context import db
from rainmaker_pipeline.service_layer import account_managers as svc
from rainmaker_pipeline.service_layer.commands import UpsertAccountManager
from rainmaker_web import (
    Blueprint,
    PaginationParameters,
    Role,
    current_principal,
    ensure_own_am,
    request_id,
    require_roles,
)

blp = Blueprint("account_managers", __name__, description="Account managers (owned here)")


def _command(data: dict[str, Any], am_id: str | None) -> UpsertAccountManager:
    return UpsertAccountManager(
        am_id=am_id,
        name=data["name"],
        email=data["email"],
        capacity=data["capacity"],
        territory_tags=tuple(data["territory_tags"]),
        specialty_tags=tuple(data["specialty_tags"]),
        active=data["active"],
    )


@blp.route("/account-managers", methods=["POST"])
@blp.arguments(s.NewAccountManagerSchema)
@blp.response(201, s.AccountManagerSchema)
@require_roles(Role.ADMIN)
def create_account_manager(data: dict[str, Any]) -> dict[str, Any]:
    """Create an account manager (announced as `account_manager.upserted`)."""
    with db().transaction() as session:
        am, _ = svc.upsert_account_manager(
            session, _command(data, data["am_id"]), create_only=True, correlation_id=request_id()
        )
    return am


@blp.route("/account-managers/<am_id>", methods=["PUT"])
@blp.arguments(s.AccountManagerPathSchema, location="path", as_kwargs=True)
@blp.arguments(s.AccountManagerInSchema)
@blp.response(200, s.AccountManagerSchema)
@blp.alt_response(201, schema=s.AccountManagerSchema, description="Created")
@require_roles(Role.ADMIN)
def put_account_manager(data: dict[str, Any], am_id: str) -> tuple[dict[str, Any], int]:
    """Create or replace the account manager `am_id` (announced as `account_manager.upserted`)."""
    with db().transaction() as session:
        am, created = svc.upsert_account_manager(
            session, _command(data, am_id), correlation_id=request_id()
        )
    return am, 201 if created else 200


@blp.route("/account-managers")
@blp.response(200, s.AccountManagerSchema(many=True))
@blp.paginate()
@require_roles(Role.MANAGER)
def list_account_managers(pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """All account managers with their count of open leads, by name."""
    with db().reader() as session:
        ams, total = svc.list_account_managers(
            session,
            offset=pagination_parameters.first_item,
            limit=pagination_parameters.page_size,
        )
    pagination_parameters.item_count = total
    return ams


@blp.route("/account-managers/<am_id>")
@blp.response(200, s.AccountManagerSchema)
@require_roles(Role.ACCOUNT_MANAGER, Role.MANAGER)
def get_account_manager(am_id: str) -> dict[str, Any]:
    """One account manager (an account manager may read only themselves)."""
    ensure_own_am(current_principal(), am_id)
    with db().reader() as session:
        return svc.get_account_manager(session, am_id)
