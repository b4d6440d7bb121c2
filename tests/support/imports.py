"""A list imported by the service layer alone, on a fresh SQLite file: the reference that
imports through other paths (a crashed worker, a helper process) must come to."""

from pathlib import Path

from rainmaker_db import Database, upgrade
from rainmaker_intake.bootstrap import MIGRATIONS
from rainmaker_intake.service_layer.importer import HELPER_MIN_BYTES, run_import
from rainmaker_intake.service_layer.lists import UploadList, upload_list
from rainmaker_intake.service_layer.prepare import CHUNK_ROWS


def import_directly(
    path: Path,
    work: Path,
    region: str = "GB",
    helper_min_bytes: int = HELPER_MIN_BYTES,
    chunk_rows: int = CHUNK_ROWS,
    background_checkpoints: bool = False,
) -> Database:
    """Import a copy of `path` into `work`/intake.db; returns the (open) database."""
    url = f"sqlite:///{work / 'intake.db'}"
    upgrade(MIGRATIONS, url)
    db = Database(url, background_checkpoints=background_checkpoints)
    copy = work / "list.csv"
    copy.write_bytes(path.read_bytes())
    with db.transaction() as session:
        cmd = UploadList(name="direct", currency="EUR", default_region=region)
        _, import_id, _ = upload_list(session, cmd, copy, "direct", None)
    run_import(db, import_id, helper_min_bytes=helper_min_bytes, chunk_rows=chunk_rows)
    return db
