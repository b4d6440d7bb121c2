"""Views for purchased lists and their imports: they translate, the service layer decides."""

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from flask import Response

from rainmaker_contracts.money import to_minor
from rainmaker_intake.adapters.reader import ListFile
from rainmaker_intake.entrypoints.http import schemas as s
from rainmaker_intake.entrypoints.http.context import db, settings
from rainmaker_intake.service_layer import lists as svc
from rainmaker_intake.service_layer import reports
from rainmaker_intake.service_layer.uploads import check_upload
from rainmaker_web import Blueprint, PaginationParameters, Role, csv_response, request_id
from rainmaker_web import require_roles as roles

blp = Blueprint("lists", __name__, description="Purchased lists and their imports")


@blp.route("/lists", methods=["POST"])
@roles(Role.MARKETING)
@blp.arguments(s.ListUploadSchema, location="form")
@blp.arguments(s.ListFileSchema, location="files")
@blp.response(202, s.UploadAcceptedSchema)
def upload_list(form: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    """Upload a purchased list; 202 at once, the import runs on intake's workers.

    The same file for the same list (name + vendor), and the same sheet of a workbook, answers
    with the first import."""
    upload = files["file"]
    cmd = svc.UploadList(
        name=form["name"],
        vendor=form["vendor"],
        currency=form["currency"],
        cost_minor=to_minor(form["cost"], form["currency"]),
        purchased_on=form["purchased_on"],
        licence_expires_on=form["licence_expires_on"],
        tags=s.parse_tags(form["tags"]),
        default_region=form["default_region"],
        mapping=s.parse_mapping(form["mapping"]),
        # Informational only, and the client's to choose: cut to the column's 300 characters
        # (PostgreSQL refuses longer as a 500).
        file_name=upload.filename[:300] if upload.filename else upload.filename,
    )
    path, sha256 = svc.store_upload(upload.stream, settings().upload_dir)
    # 422 now, not a failed import later
    listfile = check_upload(path, cmd.mapping, settings().limits, _sheet(form))
    cmd = replace(cmd, sheet=listfile.sheet, first_sheet=_first_sheet(listfile))
    with db().transaction() as session:
        list_id, import_id, created = svc.upload_list(session, cmd, path, sha256, request_id())
    return {"list_id": list_id, "import_id": import_id, "created": created}


@blp.route("/lists/preview", methods=["POST"])
@roles(Role.MARKETING, write=False)
@blp.arguments(s.PreviewFormSchema, location="form")
@blp.arguments(s.ListFileSchema, location="files")
def preview_list(form: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    """Detected encoding, delimiter, header-to-field mapping and the first rows; for a workbook
    its worksheets (`sheets`) and the one read (`sheet`). Imports nothing."""
    path, _ = svc.store_upload(files["file"].stream, settings().upload_dir / "preview")
    try:
        mapping = s.parse_mapping(form["mapping"])
        return check_upload(path, mapping, settings().limits, _sheet(form)).preview(20)
    finally:
        path.unlink(missing_ok=True)


def _sheet(form: dict[str, Any]) -> str | None:
    return form["sheet"] or None  # an empty field (as forms send one) names no sheet


def _first_sheet(listfile: ListFile) -> bool:
    return bool(listfile.sheets) and listfile.sheet == listfile.sheets[0]


@blp.route("/lists")
@roles(Role.MARKETING, Role.MANAGER)
@blp.response(200, s.ListSchema(many=True))
@blp.paginate()
def list_lists(pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """Every list with its imports, newest first."""
    with db().reader() as session:
        items, total = svc.page_lists(
            session, pagination_parameters.first_item, pagination_parameters.page_size
        )
    pagination_parameters.item_count = total
    return items


@blp.route("/imports/<import_id>")
@roles(Role.MARKETING, Role.MANAGER)
@blp.response(200, s.ImportSchema)
def get_import(import_id: str) -> dict[str, Any]:
    """Status, live progress, counts per outcome and the list-quality report."""
    with db().reader() as session:
        return reports.import_status(session, import_id)


@blp.route("/imports/<import_id>/errors")
@roles(Role.MARKETING, Role.MANAGER)
@blp.response(200, content_type="text/csv")
def import_errors(import_id: str) -> Response:
    """Rejected rows and dropped values as CSV: row, column, value, reason (formula-safe)."""
    with db().reader() as session:
        svc.ensure_import(session, import_id)  # 404 before the stream starts

    def rows() -> Iterator[tuple[int, str, str, str]]:
        with db().reader() as session:
            yield from svc.error_rows(session, import_id)

    return csv_response(rows(), ["row", "column", "value", "reason"], f"errors-{import_id}.csv")
