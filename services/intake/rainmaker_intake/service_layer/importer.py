"""Run one import as a resumable job: stream the file, ingest it in chunks, report progress.

Each chunk commits its contacts, touches, row errors, events and the import's progress
(`checkpoint_row`) in one transaction. A worker killed mid-import is redelivered the job
and resumes after the checkpoint with its in-file index rebuilt, so every accepted row
yields exactly one lead and one event however often the worker dies.
"""

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from rainmaker_bus.collector import between_batches
from rainmaker_db import Database
from rainmaker_intake.adapters.reader import Limits, open_list
from rainmaker_intake.adapters.tables import import_errors, imports, lists
from rainmaker_intake.adapters.xlsx import xlsx_data_rows
from rainmaker_intake.domain.contact import RowError
from rainmaker_intake.domain.dedup import DEFAULT, DedupConfig
from rainmaker_intake.domain.model import ImportStatus, ImportTakenOver, InvalidUpload, NotFound
from rainmaker_intake.service_layer import reports
from rainmaker_intake.service_layer.ingest import LIST_SOURCE, SourceRef, ingest
from rainmaker_intake.service_layer.prepare import (
    CHUNK_ROWS,
    Prepared,
    prepared,
    prepared_in_helper,
)

log = logging.getLogger(__name__)
# Below this a helper process costs more to start (~1 s) than it saves.
HELPER_MIN_BYTES = 4 * 1024 * 1024


def run_import(
    db: Database,
    import_id: str,
    limits: Limits | None = None,
    helper_min_bytes: int = HELPER_MIN_BYTES,
    chunk_rows: int = CHUNK_ROWS,
    dedup: DedupConfig = DEFAULT,
) -> None:
    """Import one list. Files of `helper_min_bytes` or more are read and normalised by a helper
    process alongside the worker (see prepare.py)."""
    with db.transaction() as session:
        job = _job(session, import_id)
        if job.status == ImportStatus.DONE or not resumable(job):
            return
        lst = session.execute(select(lists).where(lists.c.list_id == job.list_id)).one()
        session.execute(
            update(imports)
            .where(imports.c.import_id == import_id)
            .values(
                status=ImportStatus.RUNNING,
                started_at=job.started_at or datetime.now(UTC),
                error=None if job.status == ImportStatus.FAILED else job.error,
                finished_at=None,
            )
        )
    try:
        listfile = open_list(
            Path(job.file_path), mapping=lst.mapping, sheet=job.sheet, limits=limits or Limits()
        )
    except InvalidUpload as exc:
        _fail(db, import_id, str(exc))
        Path(job.file_path).unlink(missing_ok=True)  # it can never be imported: nothing to keep
        return
    with db.transaction() as session:
        session.execute(
            update(imports)
            .where(imports.c.import_id == import_id)
            .values(
                encoding=listfile.encoding,
                delimiter=listfile.delimiter,
                rows_total=_estimate_rows(Path(job.file_path), listfile.format, job.sheet),
            )
        )
    source = SourceRef(LIST_SOURCE, lst.list_id, lst.name)
    tags = tuple(lst.tags or ())
    if job.checkpoint_row:
        log.info("import %s: resuming after row %d", import_id, job.checkpoint_row)
    size = Path(job.file_path).stat().st_size
    chunks = prepared_in_helper if size >= helper_min_bytes else prepared
    at = job.checkpoint_row  # where this run stands: each chunk checks it is still so
    try:
        with between_batches() as collect:
            for item in chunks(listfile, at, tags, lst.default_region, chunk_rows):
                if isinstance(item, Prepared):
                    _store_chunk(db, import_id, item, source, dedup, at)
                    at = max(at, item.last_row)
                    del item  # the collection below must not walk the stored chunk's rows
                    collect()
                    continue
                with db.transaction() as session:
                    if item.errors:  # e.g. rows past max_rows, or an unreadable last line
                        _write_errors(session, import_id, item.errors)
                        bad = {e.row_number for e in item.errors}
                        counts = {"rejected": len(bad)}
                        reports.advance(session, import_id, counts, {}, len(bad), max(bad), at)
                    reports.finish(session, import_id)
    except ImportTakenOver as exc:
        log.warning("import %s: another run took over (%s); this one stops", import_id, exc)
        return
    # Every row's original values are kept on its touch; the file itself would outlive an
    # erasure of the people in it, so it goes once the import is done.
    Path(job.file_path).unlink(missing_ok=True)


def _store_chunk(
    db: Database,
    import_id: str,
    chunk: Prepared,
    source: SourceRef,
    dedup: DedupConfig = DEFAULT,
    after: int | None = None,
) -> None:
    """De-duplicate and store one chunk, with its errors and the import's progress, in one
    transaction: the checkpoint moves with the rows it covers."""
    counts = dict(chunk.counts)
    with db.transaction() as session:
        now = datetime.now(UTC)
        out = ingest(session, chunk.sightings, source, now=now, import_id=import_id, config=dedup)
        for name in (
            "accepted",
            "duplicates_in_file",
            "duplicates_existing",
            "suppressed",
            "existing_customers",
        ):
            counts[name] = getattr(out, name)
        _write_errors(session, import_id, chunk.errors)
        owned = out.owned_by_source
        reports.advance(session, import_id, counts, owned, chunk.rows, chunk.last_row, after)


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


def _estimate_rows(path: Path, kind: str, sheet: str | None) -> int:
    """Lines in the file minus the header (a fast upper bound), or the rows the workbook's
    sheet being read declares: the progress bar's total until the import is done."""
    if kind == "xlsx":
        return xlsx_data_rows(path, sheet)
    lines = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


def resumable(job: Any) -> bool:
    """A failed import may run again while its file is kept: one whose job was given up after
    its last attempt (`give_up`), not one whose file could never be imported."""
    return job.status != ImportStatus.FAILED or Path(job.file_path).exists()


def give_up(db: Database, import_id: str, error: str) -> None:
    """The job's last attempt failed and the bus dead-lettered it: the import has stopped, and
    says so, rather than stay `running`; its file and checkpoint are kept for a resume."""
    resume = "upload the same file again, or replay the job from the dead-letter queue"
    why = f"stopped: its last attempt failed ({error}); to resume from its last chunk, {resume}"
    _fail(db, import_id, why[:2000])


def note_failure(db: Database, import_id: str, error: str) -> None:
    """Show why the last attempt failed; the status stays `running` while the bus retries."""
    with db.transaction() as session:
        session.execute(update(imports).where(imports.c.import_id == import_id).values(error=error))
