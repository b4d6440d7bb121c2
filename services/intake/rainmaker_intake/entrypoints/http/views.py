"""Intake's HTTP views: translate requests into commands and queries, nothing more."""

from decimal import Decimal
from typing import Any

from flask import current_app, request

from rainmaker_db import Database
from rainmaker_intake.config import Settings
from rainmaker_intake.entrypoints.http import schemas as s
from rainmaker_intake.service_layer import lists as svc
from rainmaker_web import Blueprint, ProblemError, Role, request_id, require_roles

blp = Blueprint("intake", __name__, description="Purchased lists, imports and leads")


def _db() -> Database:
    db: Database = current_app.extensions["rainmaker_intake.db"]
    return db


def _settings() -> Settings:
    settings: Settings = current_app.extensions["rainmaker_intake.settings"]
    return settings


@blp.route("/lists", methods=["POST"])
@blp.arguments(s.ListUploadSchema, location="form")
@blp.arguments(s.ListFileSchema, location="files")
@blp.response(202, s.UploadAcceptedSchema)
@require_roles(Role.MARKETING)
def upload_list(form: dict[str, Any], files: dict[str, Any]) -> dict[str, str]:
    """Upload a purchased list; the import runs in the background."""
    try:
        tags = s.parse_tags(form["tags"])
    except ValueError as exc:
        raise ProblemError(422, detail=str(exc), errors={"form": {"tags": [str(exc)]}}) from None
    cmd = svc.UploadList(
        name=form["name"],
        vendor=form["vendor"],
        currency=form["currency"],
        cost_minor=int(Decimal(form["cost"]) * 100),
        purchased_on=form["purchased_on"],
        licence_expires_on=form["licence_expires_on"],
        tags=tags,
    )
    path, sha256 = svc.store_upload(files["file"].stream, _settings().upload_dir)
    with _db().transaction() as session:
        list_id, import_id = svc.upload_list(session, cmd, path, sha256, request_id())
    return {"list_id": list_id, "import_id": import_id}


@blp.route("/imports/<import_id>")
@blp.response(200, s.ImportSchema)
@require_roles(Role.MARKETING, Role.MANAGER)
def get_import(import_id: str) -> dict[str, Any]:
    """Status, progress and counts of one import."""
    with _db().reader() as session:
        return svc.get_import(session, import_id)


@blp.route("/leads/<lead_id>")
@blp.response(200, s.LeadSchema)
@require_roles(Role.MARKETING, Role.MANAGER)
def get_lead(lead_id: str) -> dict[str, Any]:
    """A lead with every touch that brought it in."""
    with _db().reader() as session:
        return svc.get_lead(session, lead_id)


__all__ = ["blp", "request"]
