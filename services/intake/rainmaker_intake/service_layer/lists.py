"""Commands and queries about lists, imports and leads (what the HTTP views call)."""

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import ColumnElement, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from rainmaker_bus import add_event
from rainmaker_intake.adapters.tables import (
    contacts,
    decisions,
    import_errors,
    imports,
    lists,
    touches,
)
from rainmaker_intake.domain.model import ImportStatus, NotFound
from rainmaker_intake.service_layer.importer import resumable
from rainmaker_intake.service_layer.ingest import LIST_SOURCE

PRODUCER = "intake"


@dataclass(frozen=True)
class UploadList:
    """The command behind POST /lists."""

    name: str
    currency: str
    cost_minor: int = 0
    vendor: str | None = None
    purchased_on: date | None = None
    licence_expires_on: date | None = None
    tags: tuple[str, ...] = ()
    default_region: str | None = None
    mapping: dict[str, str] | None = field(default=None, hash=False)
    file_name: str | None = None
    sheet: str | None = None  # the XLSX worksheet the import reads, by name (None for CSV)
    first_sheet: bool = False  # it is the workbook's first (what imports before 0010 read)


def store_upload(stream: IO[bytes], upload_dir: Path) -> tuple[Path, str]:
    """Stream the upload to disk (never all in memory); returns (path, sha256)."""
    upload_dir.mkdir(parents=True, exist_ok=True)
    path = upload_dir / f"{uuid.uuid4()}.upload"
    digest = hashlib.sha256()
    with path.open("wb") as out:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    return path, digest.hexdigest()


def upload_list(
    session: Session, cmd: UploadList, path: Path, sha256: str, correlation_id: str | None
) -> tuple[str, str, bool]:
    """Record the list and a queued import job (an outbox message to intake's workers).

    The same file (by content) for the same list (name + vendor), read from the same sheet,
    answers with the first import and creates nothing: returns (list_id, import_id, created).
    Another sheet of a workbook is another import."""
    _one_upload_of(session, sha256)
    vendor_match = lists.c.vendor.is_(None) if cmd.vendor is None else lists.c.vendor == cmd.vendor
    prior = session.execute(
        select(imports.c.import_id, imports.c.list_id, imports.c.status, imports.c.file_path)
        .join(lists, lists.c.list_id == imports.c.list_id)
        .where(imports.c.file_sha256 == sha256, lists.c.name == cmd.name, vendor_match)
        .where(_same_sheet(cmd))
    ).first()
    if prior is not None:
        path.unlink(missing_ok=True)
        if prior.status == ImportStatus.FAILED and resumable(prior):
            # Its job was given up (its file is kept): the same file again resumes it.
            _queue_import(session, prior.import_id, prior.list_id, correlation_id)
        return prior.list_id, prior.import_id, False
    list_id, import_id = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC)
    session.execute(
        insert(lists).values(
            list_id=list_id,
            name=cmd.name,
            vendor=cmd.vendor,
            cost_minor=cmd.cost_minor,
            currency=cmd.currency,
            purchased_on=cmd.purchased_on,
            licence_expires_on=cmd.licence_expires_on,
            tags=list(cmd.tags),
            default_region=cmd.default_region,
            mapping=cmd.mapping,
            created_at=now,
        )
    )
    session.execute(
        insert(imports).values(
            import_id=import_id,
            list_id=list_id,
            file_path=str(path),
            file_name=cmd.file_name,
            file_sha256=sha256,
            sheet=cmd.sheet,
            status=ImportStatus.QUEUED,
            created_at=now,
        )
    )
    _queue_import(session, import_id, list_id, correlation_id)
    return list_id, import_id, True


def _same_sheet(cmd: UploadList) -> ColumnElement[bool]:
    """Imports that read the sheet this upload reads. One from before migration 0010 has no
    sheet stored and read the workbook's first."""
    if cmd.sheet is None:
        return imports.c.sheet.is_(None)
    same = imports.c.sheet == cmd.sheet
    return or_(same, imports.c.sheet.is_(None)) if cmd.first_sheet else same


def _one_upload_of(session: Session, sha256: str) -> None:
    """Uploads of one file wait for each other until commit, so that two at once cannot both
    find no first import and both create one. SQLite writers are one at a time already
    (BEGIN IMMEDIATE); PostgreSQL takes a transaction lock keyed by the file's hash."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": upload_lock(sha256)})


def upload_lock(sha256: str) -> int:
    """The PostgreSQL advisory lock (a signed 64-bit key) taken by uploads of this file."""
    return int.from_bytes(bytes.fromhex(sha256[:16]), "big", signed=True)


def _queue_import(
    session: Session, import_id: str, list_id: str, correlation_id: str | None
) -> None:
    """Queue the import's job (again): a new message, so no worker's inbox skips it."""
    session.execute(
        update(imports)
        .where(imports.c.import_id == import_id)
        .values(status=ImportStatus.QUEUED, finished_at=None, error=None)
    )
    add_event(
        session,
        "intake.import_requested",
        {"import_id": import_id, "list_id": list_id},
        producer=PRODUCER,
        correlation_id=correlation_id or import_id,
    )


def page_lists(session: Session, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    total = session.scalar(select(func.count()).select_from(lists)) or 0
    rows = session.execute(
        select(lists).order_by(lists.c.created_at.desc()).offset(offset).limit(limit)
    )
    out = []
    for row in rows:
        item = dict(row._mapping)
        item["imports"] = [
            dict(r._mapping)
            for r in session.execute(
                select(
                    imports.c.import_id,
                    imports.c.status,
                    imports.c.rows_total,
                    imports.c.accepted,
                    imports.c.created_at,
                ).where(imports.c.list_id == row.list_id)
            )
        ]
        out.append(item)
    return out, total


def page_list_leads(
    session: Session, list_id: str, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The contacts a list touched, each with its touches and the dedup decisions on it."""
    if session.execute(select(lists.c.list_id).where(lists.c.list_id == list_id)).first() is None:
        raise NotFound(f"list {list_id} not found")
    # Both read the index by source alone (migration 0008), already in lead order: no scan of
    # the list's touches, no sort (1.7-2.0 s a page of a 1M-row list without it).
    of_list = select(touches.c.lead_id).where(
        touches.c.source_type == LIST_SOURCE, touches.c.source_id == list_id
    )
    total = session.scalar(select(func.count()).select_from(of_list.distinct().subquery())) or 0
    lead_ids = session.scalars(
        of_list.distinct().order_by(touches.c.lead_id).offset(offset).limit(limit)
    ).all()
    return [lead_detail(session, lead_id) for lead_id in lead_ids], total


def lead_detail(session: Session, lead_id: str) -> dict[str, Any]:
    row = session.execute(select(contacts).where(contacts.c.lead_id == lead_id)).first()
    if row is None:
        raise NotFound(f"lead {lead_id} not found")
    lead = dict(row._mapping)
    lead["touches"] = [
        dict(t._mapping)
        for t in session.execute(
            select(touches).where(touches.c.lead_id == lead_id).order_by(touches.c.touched_at)
        )
    ]
    lead["decisions"] = [
        dict(d._mapping)
        for d in session.execute(
            select(decisions)
            .where(decisions.c.lead_id == lead_id)
            .order_by(decisions.c.decision_id)
        )
    ]
    return lead


def ensure_import(session: Session, import_id: str) -> None:
    found = session.execute(select(imports.c.import_id).where(imports.c.import_id == import_id))
    if found.first() is None:
        raise NotFound(f"import {import_id} not found")


def error_rows(session: Session, import_id: str) -> Iterator[tuple[int, str, str, str]]:
    """(row, column, value, reason) of an import, in file order, streamed."""
    result = session.execute(
        select(
            import_errors.c.row_number,
            import_errors.c.column_name,
            import_errors.c.value,
            import_errors.c.reason,
        )
        .where(import_errors.c.import_id == import_id)
        .order_by(import_errors.c.row_number, import_errors.c.error_id)
        .execution_options(yield_per=5000)
    )
    for row in result:
        yield row.row_number, row.column_name, row.value or "", row.reason
