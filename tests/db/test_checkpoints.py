"""Background WAL checkpoints (rainmaker_db.checkpoints) on real SQLite files: commits no longer
checkpoint, yet the WAL is started over instead of growing with each transaction, and a
transaction waits once the WAL passes its limit."""

import os
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert, text

from rainmaker_db import Database

metadata = MetaData()
blobs = Table("blobs", metadata, Column("id", Integer, primary_key=True), Column("body", Text))
ROWS, BODY = 200, "x" * 10_000  # ~2 MB a transaction
MB = 2**20


def _write(db: Database, times: int = 1) -> None:
    for _ in range(times):
        with db.transaction() as session:
            session.execute(insert(blobs), [{"body": BODY} for _ in range(ROWS)])


def _wal_size(db: Database) -> int:
    return os.path.getsize(str(db.engine.url.database) + "-wal")


@pytest.mark.parametrize("background", [True, False], ids=["background", "none"])
def test_checkpoints_run_beside_the_writer_and_the_wal_starts_over(
    tmp_path: Path, background: bool
) -> None:
    url = f"sqlite:///{tmp_path / 'big.db'}"
    # The control: commits that do not checkpoint (as with background=True) and no thread.
    kwargs = {"background_checkpoints": True} if background else {"wal_autocheckpoint": 0}
    db = Database(url, **kwargs)  # type: ignore[arg-type]
    try:
        metadata.create_all(db.engine)
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        sizes = []
        for _ in range(20):
            _write(db)
            if db.checkpointer is not None:  # the next chunk's Python work would take longer
                assert db.checkpointer.wait_idle(30)
            sizes.append(_wal_size(db))
        if background:
            assert db.checkpointer is not None and db.checkpointer.passes >= 20
            assert max(sizes) < 4 * MB  # the WAL was started over: one transaction's pages
        else:
            assert sizes[-1] > 35 * MB  # the WAL holds every transaction
        with db.reader() as session:
            assert session.execute(text("SELECT count(*) FROM blobs")).scalar() == 20 * ROWS
    finally:
        db.dispose()
    if background:
        assert db.checkpointer is not None and not db.checkpointer._thread.is_alive()


def test_past_its_limit_a_transaction_waits_and_the_wal_is_cut_back(tmp_path: Path) -> None:
    """A reader holding an old snapshot keeps the WAL from starting over, so it grows past
    the limit; once the reader is gone, the transaction that waited for the checkpoint starts
    it over, and journal_size_limit cuts the file back."""
    url = f"sqlite:///{tmp_path / 'limit.db'}"
    db = Database(url, background_checkpoints=True, wal_keep_bytes=4 * MB)
    assert db.checkpointer is not None
    db.checkpointer.wal_limit_bytes = 8 * MB
    db.checkpointer.restart_wait_s = 0.1  # each RESTART gives up on the reader quickly
    try:
        metadata.create_all(db.engine)
        reader = sqlite3.connect(str(db.engine.url.database), isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM blobs").fetchall()  # holds its snapshot
        _write(db, 6)
        assert _wal_size(db) > 8 * MB
        reader.execute("COMMIT")
        reader.close()
        _write(db)  # waits for a RESTART, which completes now, and starts the WAL over
        assert db.checkpointer.restarts >= 1
        assert _wal_size(db) <= 8 * MB  # and journal_size_limit cut the file back
    finally:
        db.dispose()


def test_past_its_limit_the_wal_starts_over_though_others_write_and_read_between(
    tmp_path: Path,
) -> None:
    """As during an import: after each commit another process writes a little (the relay
    marking rows sent) and reads (progress polls) before the checkpoint is done, so no
    PASSIVE checkpoint leaves the WAL fully copied when the writer begins. The RESTART asked
    for past the limit starts it over, and the file stays near the limit."""
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    db = Database(url, background_checkpoints=True, wal_keep_bytes=8 * MB)
    assert db.checkpointer is not None
    db.checkpointer.wal_limit_bytes = 8 * MB
    try:
        metadata.create_all(db.engine)
        other = sqlite3.connect(str(db.engine.url.database), timeout=30, isolation_level=None)
        sizes = []
        for _ in range(40):
            _write(db)
            other.execute("INSERT INTO blobs (body) VALUES ('sent')")
            other.execute("SELECT count(*) FROM blobs").fetchall()
            sizes.append(_wal_size(db))
        other.close()
        assert db.checkpointer.restarts >= 1
        assert max(sizes) < 8 * MB + 3 * ROWS * len(BODY)  # the limit and a transaction or two
        with db.reader() as session:
            assert session.execute(text("SELECT count(*) FROM blobs")).scalar() == 40 * ROWS + 40
    finally:
        db.dispose()


def test_a_waiting_transaction_is_released_when_the_database_closes(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'close.db'}", background_checkpoints=True)
    assert db.checkpointer is not None
    metadata.create_all(db.engine)
    db.checkpointer.close()  # no thread left to run the checkpoint asked for
    db.checkpointer.after_commit()
    done = threading.Event()
    threading.Thread(target=lambda: (db.checkpointer.wait_idle(), done.set())).start()  # type: ignore[union-attr]
    assert done.wait(5)
    db.dispose()


def test_only_sqlite_files_get_a_checkpoint_thread(pg_url: str) -> None:
    db = Database(pg_url, background_checkpoints=True)
    try:
        assert db.checkpointer is None
        db.ping()
    finally:
        db.dispose()
