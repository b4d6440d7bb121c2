"""Background WAL checkpoints (rainmaker_db.checkpoints) on real SQLite files: commits no longer
checkpoint, yet the WAL stays as small as one transaction instead of growing with each."""

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert, text

from rainmaker_db import Database

metadata = MetaData()
blobs = Table("blobs", metadata, Column("id", Integer, primary_key=True), Column("body", Text))
ROWS, BODY = 200, "x" * 10_000  # ~2 MB a transaction


def _write(db: Database, transactions: int) -> list[int]:
    """Commit `transactions` batches; the WAL's size after each."""
    wal = Path(db.engine.url.database + "-wal")  # type: ignore[operator]
    sizes = []
    for _ in range(transactions):
        with db.transaction() as session:
            session.execute(insert(blobs), [{"body": BODY} for _ in range(ROWS)])
        time.sleep(0.05)  # as an import chunk's Python work would, while the thread runs
        sizes.append(wal.stat().st_size)
    return sizes


@pytest.mark.parametrize("background", [True, False], ids=["background", "none"])
def test_background_checkpoints_keep_the_wal_small(tmp_path: Path, background: bool) -> None:
    url = f"sqlite:///{tmp_path / 'big.db'}"
    # The control: commits that do not checkpoint (as with background=True) and no thread.
    kwargs = {"background_checkpoints": True} if background else {"wal_autocheckpoint": 0}
    db = Database(url, **kwargs)  # type: ignore[arg-type]
    try:
        metadata.create_all(db.engine)
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        sizes = _write(db, 30)
        if background:
            assert db.checkpointer is not None and db.checkpointer.passes >= 10
            assert max(sizes[5:]) < 4 * 2**20  # about two transactions' pages
        else:
            assert sizes[-1] > 50 * 2**20  # the WAL holds every transaction
        with db.reader() as session:
            assert session.execute(text("SELECT count(*) FROM blobs")).scalar() == 30 * ROWS
    finally:
        db.dispose()
    if background:
        assert db.checkpointer is not None and not db.checkpointer._thread.is_alive()


def test_a_transaction_waits_for_the_checkpoint_once_the_wal_passes_its_limit(
    tmp_path: Path,
) -> None:
    """Past the limit a transaction begins only after the running checkpoint, so it starts
    the WAL over: the WAL never holds more than one transaction."""
    db = Database(f"sqlite:///{tmp_path / 'limit.db'}", background_checkpoints=True)
    assert db.checkpointer is not None
    db.checkpointer.wal_limit_bytes = 0  # always past it: every transaction waits
    try:
        metadata.create_all(db.engine)
        sizes = []
        for _ in range(5):
            with db.transaction() as session:  # no pause between them: nothing to overlap
                session.execute(insert(blobs), [{"body": BODY} for _ in range(ROWS)])
            sizes.append(db.checkpointer.wal.stat().st_size)
        assert db.checkpointer.passes >= 4
        assert max(sizes) < 1.5 * sizes[0]
    finally:
        db.dispose()


def test_only_sqlite_files_get_a_checkpoint_thread(pg_url: str) -> None:
    db = Database(pg_url, background_checkpoints=True)
    try:
        assert db.checkpointer is None
        db.ping()
    finally:
        db.dispose()


def test_the_thread_ends_with_the_database(tmp_path: Path) -> None:
    before = {t for t in os.listdir("/proc/self/task")}
    db = Database(f"sqlite:///{tmp_path / 'ends.db'}", background_checkpoints=True)
    assert len(set(os.listdir("/proc/self/task")) - before) >= 1
    db.dispose()
    assert db.checkpointer is not None and not db.checkpointer._thread.is_alive()
