"""Run one import: read the stored file, keep valid rows, add contacts or touches, announce.

Walking-skeleton depth: CSV in UTF-8, exact-email de-duplication. The intake issue replaces
the reading, validation and matching with the full pipeline.
"""

import csv
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from rainmaker_bus import add_events
from rainmaker_contracts.intake import MAX_LEADS_PER_MESSAGE
from rainmaker_intake.adapters.tables import contacts, import_errors, imports, lists, touches
from rainmaker_intake.domain.fields import map_headers
from rainmaker_intake.domain.model import ImportCounts, ImportStatus, NotFound

PRODUCER = "intake"


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str], dict[str, str]]]:
    """(row number in the file, contact fields, unmapped attributes) per data row."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        headers = next(reader, [])
        mapping = map_headers(headers)
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            fields: dict[str, str] = {}
            attrs: dict[str, str] = {}
            for i, cell in enumerate(row):
                value = cell.strip()
                if i in mapping:
                    fields[mapping[i]] = value
                elif i < len(headers) and value:
                    attrs[headers[i]] = value
            yield line_no, fields, attrs


def run_import(session: Session, import_id: str) -> ImportCounts:
    job = session.execute(select(imports).where(imports.c.import_id == import_id)).first()
    if job is None:
        raise NotFound(f"import {import_id} not found")
    if job.status == ImportStatus.DONE:
        return ImportCounts()
    lst = session.execute(select(lists).where(lists.c.list_id == job.list_id)).one()
    counts = ImportCounts()
    now = datetime.now(UTC)
    seen: set[str] = set()
    ingested: list[dict[str, Any]] = []
    source = {"type": "rented_list", "id": lst.list_id, "name": lst.name}
    for row_no, fields, attrs in _rows(Path(job.file_path)):
        counts.rows_total += 1
        email = fields.get("email", "").lower() or None
        if not email or "@" not in email:
            counts.rejected += 1
            session.execute(
                insert(import_errors),
                {
                    "import_id": import_id,
                    "row_number": row_no,
                    "column_name": "email",
                    "value": fields.get("email", ""),
                    "reason": "missing or invalid email",
                },
            )
            continue
        if email in seen:
            counts.duplicates_in_file += 1
            continue
        seen.add(email)
        existing = session.execute(
            select(contacts.c.lead_id).where(contacts.c.email == email)
        ).scalar()
        lead_id = existing or str(uuid.uuid4())
        if existing:
            counts.duplicates_existing += 1
        else:
            counts.accepted += 1
            session.execute(
                insert(contacts),
                {
                    "lead_id": lead_id,
                    "email": email,
                    "first_name": fields.get("first_name"),
                    "last_name": fields.get("last_name"),
                    "company": fields.get("company"),
                    "job_title": fields.get("job_title"),
                    "phone": fields.get("phone"),
                    "attributes": attrs,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            ingested.append(
                {
                    "lead_id": lead_id,
                    "source": source,
                    "touched_at": now.isoformat(),
                    "email": email,
                    "first_name": fields.get("first_name"),
                    "last_name": fields.get("last_name"),
                    "company": fields.get("company"),
                    "job_title": fields.get("job_title"),
                    "attributes": attrs,
                    "tags": list(lst.tags or []),
                }
            )
        session.execute(
            insert(touches),
            {
                "touch_id": str(uuid.uuid4()),
                "lead_id": lead_id,
                "source_type": "rented_list",
                "source_id": lst.list_id,
                "import_id": import_id,
                "row_number": row_no,
                "touched_at": now,
            },
        )
    counts.rows_done = counts.rows_total
    for start in range(0, len(ingested), MAX_LEADS_PER_MESSAGE):
        add_events(
            session,
            "leads.ingested",
            [{"import_id": import_id, "leads": ingested[start : start + MAX_LEADS_PER_MESSAGE]}],
            producer=PRODUCER,
            correlation_id=import_id,
        )
    add_events(
        session,
        "list.imported",
        [
            {
                "list_id": lst.list_id,
                "import_id": import_id,
                "name": lst.name,
                "vendor": lst.vendor,
                "cost_minor": lst.cost_minor,
                "currency": lst.currency,
                "purchased_on": lst.purchased_on.isoformat() if lst.purchased_on else None,
                "licence_expires_on": lst.licence_expires_on.isoformat()
                if lst.licence_expires_on
                else None,
                "tags": list(lst.tags or []),
                **_count_fields(counts),
            }
        ],
        producer=PRODUCER,
        correlation_id=import_id,
    )
    session.execute(
        update(imports)
        .where(imports.c.import_id == import_id)
        .values(status=ImportStatus.DONE, finished_at=datetime.now(UTC), **vars(counts))
    )
    return counts


def _count_fields(counts: ImportCounts) -> dict[str, int]:
    data = vars(counts).copy()
    data.pop("rows_done")
    return data
