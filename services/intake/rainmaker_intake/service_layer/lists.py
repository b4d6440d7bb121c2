"""Commands and queries about lists and imports."""

import hashlib
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from rainmaker_bus import add_event
from rainmaker_intake.adapters.tables import contacts, imports, lists, touches
from rainmaker_intake.domain.model import ImportStatus, NotFound

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
) -> tuple[str, str]:
    """Record the list and a queued import; the import job is an outbox message."""
    # Same file for the same list (name + vendor): the first import answers, nothing new runs.
    prior = session.execute(
        select(imports.c.import_id, imports.c.list_id)
        .join(lists, lists.c.list_id == imports.c.list_id)
        .where(
            imports.c.file_sha256 == sha256,
            lists.c.name == cmd.name,
            lists.c.vendor.is_(None) if cmd.vendor is None else lists.c.vendor == cmd.vendor,
        )
    ).first()
    if prior is not None:
        path.unlink(missing_ok=True)
        return prior.list_id, prior.import_id
    list_id, import_id = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC)
    session.execute(
        insert(lists),
        {
            "list_id": list_id,
            "name": cmd.name,
            "vendor": cmd.vendor,
            "cost_minor": cmd.cost_minor,
            "currency": cmd.currency,
            "purchased_on": cmd.purchased_on,
            "licence_expires_on": cmd.licence_expires_on,
            "tags": list(cmd.tags),
            "created_at": now,
        },
    )
    session.execute(
        insert(imports),
        {
            "import_id": import_id,
            "list_id": list_id,
            "file_path": str(path),
            "file_sha256": sha256,
            "status": ImportStatus.QUEUED,
            "created_at": now,
        },
    )
    add_event(
        session,
        "intake.import_requested",
        {"import_id": import_id, "list_id": list_id},
        producer=PRODUCER,
        correlation_id=correlation_id or import_id,
    )
    return list_id, import_id


def get_import(session: Session, import_id: str) -> dict[str, Any]:
    row = session.execute(select(imports).where(imports.c.import_id == import_id)).first()
    if row is None:
        raise NotFound(f"import {import_id} not found")
    data = dict(row._mapping)
    data.pop("file_path")
    return data


def get_lead(session: Session, lead_id: str) -> dict[str, Any]:
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
    return lead


def remove_upload(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
