"""Run one import as a resumable job: stream the file, ingest it in chunks, report progress.

Each chunk commits its contacts, touches, row errors, events and the import's progress
(`checkpoint_row`) in one transaction. A worker killed mid-import is redelivered the job
and resumes after the checkpoint with its in-file index rebuilt, so every accepted row
yields exactly one lead and one event however often the worker dies.
"""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from rainmaker_db import Database
from rainmaker_intake.adapters.reader import Limits, open_list
from rainmaker_intake.adapters.tables import import_errors, imports, lists
from rainmaker_intake.domain.contact import RawRow, RowError
from rainmaker_intake.domain.model import ImportStatus, InvalidUpload, NotFound
from rainmaker_intake.domain.normalise import normalise
from rainmaker_intake.service_layer import reports
from rainmaker_intake.service_layer.ingest import Sighting, SourceRef, ingest

log = logging.getLogger(__name__)
CHUNK_ROWS = 2000
COUNTERS = (
    "accepted",
    "duplicates_in_file",
    "duplicates_existing",
    "suppressed",
    "existing_customers",
    "rejected",
    "invalid_emails",
    "invalid_phones",
)


def run_import(db: Database, import_id: str, limits: Limits | None = None) -> None:
    with db.transaction() as session:
        job = _job(session, import_id)
        if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return
        lst = session.execute(select(lists).where(lists.c.list_id == job.list_id)).one()
        session.execute(
            update(imports)
            .where(imports.c.import_id == import_id)
            .values(status=ImportStatus.RUNNING, started_at=job.started_at or datetime.now(UTC))
        )
    try:
        listfile = open_list(Path(job.file_path), mapping=lst.mapping, limits=limits or Limits())
    except InvalidUpload as exc:
        _fail(db, import_id, str(exc))
        return
    with db.transaction() as session:
        session.execute(
            update(imports)
            .where(imports.c.import_id == import_id)
            .values(
                encoding=listfile.encoding,
                delimiter=listfile.delimiter,
                rows_total=_estimate_rows(Path(job.file_path)) if listfile.format == "csv" else 0,
            )
        )
    source = SourceRef("rented_list", lst.list_id, lst.name)
    tags = tuple(lst.tags or ())
    if job.checkpoint_row:
        log.info("import %s: resuming after row %d", import_id, job.checkpoint_row)
    errors: list[RowError] = []
    rows = listfile.rows(on_error=errors.append)
    for chunk in _chunks(rows, job.checkpoint_row):
        # Rows up to the checkpoint were reported before the restart: don't report them twice.
        fresh = [e for e in errors if e.row_number > job.checkpoint_row]
        _import_chunk(db, import_id, chunk, fresh, source, tags, lst.default_region)
        errors.clear()
    with db.transaction() as session:
        trailing = [e for e in errors if e.row_number > _job(session, import_id).checkpoint_row]
        if trailing:  # e.g. rows past max_rows, or an unreadable last line
            _write_errors(session, import_id, trailing)
            bad = {e.row_number for e in trailing}
            reports.advance(session, import_id, {"rejected": len(bad)}, {}, len(bad), max(bad))
        reports.finish(session, import_id)
    # Every row's original values are kept on its touch; the file itself would outlive an
    # erasure of the people in it, so it goes once the import is done.
    Path(job.file_path).unlink(missing_ok=True)


def _chunks(rows: Iterator[RawRow], after: int) -> Iterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for row in rows:
        if row.row_number <= after:
            continue
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _import_chunk(
    db: Database,
    import_id: str,
    chunk: list[RawRow],
    read_errors: list[RowError],
    source: SourceRef,
    tags: tuple[str, ...],
    region: str | None,
) -> None:
    sightings: list[Sighting] = []
    errors = list(read_errors)
    counts = dict.fromkeys(COUNTERS, 0)
    for raw in chunk:
        contact, row_errors = normalise(raw, default_region=region)
        errors.extend(row_errors)
        counts["invalid_emails"] += any(e.column == "email" for e in row_errors)
        counts["invalid_phones"] += any(e.column in ("phone", "mobile") for e in row_errors)
        if contact is None:
            counts["rejected"] += 1
            continue
        sightings.append(Sighting(contact, original={**raw.values, **raw.attributes}, tags=tags))
    counts["rejected"] += len({e.row_number for e in read_errors})
    with db.transaction() as session:
        out = ingest(
            session,
            sightings,
            source,
            now=datetime.now(UTC),
            import_id=import_id,
        )
        for name in (
            "accepted",
            "duplicates_in_file",
            "duplicates_existing",
            "suppressed",
            "existing_customers",
        ):
            counts[name] = getattr(out, name)
        last_row = max(chunk[-1].row_number, max((e.row_number for e in errors), default=0))
        _write_errors(session, import_id, errors)
        reports.advance(
            session,
            import_id,
            counts,
            out.owned_by_source,
            len(chunk) + len({e.row_number for e in read_errors}),
            last_row,
        )


def _write_errors(session: Session, import_id: str, errors: list[RowError]) -> None:
    if errors:
        session.execute(
            insert(import_errors),
            [
                {
                    "import_id": import_id,
                    "row_number": e.row_number,
                    "column_name": e.column,
                    "value": e.value[:2000],
                    "reason": e.reason,
                }
                for e in errors
            ],
        )


def _job(session: Session, import_id: str) -> Any:
    job = session.execute(select(imports).where(imports.c.import_id == import_id)).first()
    if job is None:
        raise NotFound(f"import {import_id} not found")
    return job


def _fail(db: Database, import_id: str, reason: str) -> None:
    with db.transaction() as session:
        session.execute(
            update(imports)
            .where(imports.c.import_id == import_id)
            .values(status=ImportStatus.FAILED, error=reason, finished_at=datetime.now(UTC))
        )


def _estimate_rows(path: Path) -> int:
    """Lines in the file minus the header: a fast upper bound for the progress bar."""
    lines = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


def note_failure(db: Database, import_id: str, error: str) -> None:
    """Show why the last attempt failed; the status stays `running` while the bus retries."""
    with db.transaction() as session:
        session.execute(update(imports).where(imports.c.import_id == import_id).values(error=error))
