"""An import's progress and its list-quality report: what the list was really worth."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rainmaker_bus import add_event
from rainmaker_intake.adapters.tables import imports, lists
from rainmaker_intake.domain.model import ImportStatus, ImportTakenOver, NotFound

PRODUCER = "intake"
EVENT_COUNTS = (
    "rows_total",
    "accepted",
    "duplicates_in_file",
    "duplicates_existing",
    "suppressed",
    "rejected",
)


def advance(
    session: Session,
    import_id: str,
    counts: Mapping[str, int],
    owned: Mapping[str, int],
    rows: int,
    last_row: int,
    after: int | None = None,
) -> None:
    """Add one chunk's counts and move the checkpoint (same transaction as the chunk). `after`:
    the checkpoint this run's chunk follows; another value means another run got there first,
    and this chunk is rolled back (ImportTakenOver) rather than stored twice."""
    job = session.execute(select(imports).where(imports.c.import_id == import_id)).one()
    if after is not None and job.checkpoint_row != after:
        raise ImportTakenOver(f"import {import_id} is at row {job.checkpoint_row}, not {after}")
    merged = dict(job.owned_by_source or {})
    for key, n in owned.items():
        merged[key] = merged.get(key, 0) + n
    values: dict[str, Any] = {name: getattr(job, name) + n for name, n in counts.items()}
    rows_done = job.rows_done + rows
    session.execute(
        update(imports)
        .where(imports.c.import_id == import_id)
        .values(
            **values,
            owned_by_source=merged,
            rows_done=rows_done,
            rows_total=max(job.rows_total, rows_done),
            checkpoint_row=max(job.checkpoint_row, last_row),
        )
    )


def finish(session: Session, import_id: str) -> None:
    job = session.execute(select(imports).where(imports.c.import_id == import_id)).one()
    if job.status == ImportStatus.DONE:  # another run finished it: no second list.imported
        raise ImportTakenOver(f"import {import_id} is done already")
    lst = session.execute(select(lists).where(lists.c.list_id == job.list_id)).one()
    session.execute(
        update(imports)
        .where(imports.c.import_id == import_id)
        .values(status=ImportStatus.DONE, rows_total=job.rows_done, finished_at=datetime.now(UTC))
    )
    counts = {name: getattr(job, name) for name in EVENT_COUNTS}
    counts["rows_total"] = job.rows_done
    add_event(
        session,
        "list.imported",
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
            **counts,
        },
        producer=PRODUCER,
        correlation_id=import_id,
    )


def import_status(session: Session, import_id: str) -> dict[str, Any]:
    """Status, progress, counts and, once done, the list-quality report."""
    row = session.execute(select(imports).where(imports.c.import_id == import_id)).first()
    if row is None:
        raise NotFound(f"import {import_id} not found")
    data = dict(row._mapping)
    data.pop("file_path")
    data.pop("checkpoint_row")
    lst = session.execute(select(lists).where(lists.c.list_id == row.list_id)).one()
    new = row.accepted
    data["quality"] = {
        "rows_new_to_us": new,
        "rows_already_owned": row.duplicates_existing,
        "owned_by_source": row.owned_by_source or {},
        "existing_customers": row.existing_customers,
        "duplicates_in_file": row.duplicates_in_file,
        "invalid_emails": row.invalid_emails,
        "invalid_phones": row.invalid_phones,
        "suppressed": row.suppressed,
        "rejected": row.rejected,
        "cost_minor": lst.cost_minor,
        "currency": lst.currency,
        "cost_per_new_contact_minor": round(lst.cost_minor / new) if new else None,
    }
    return data
