"""SQLite WAL checkpoints on a thread of their own, for a process that writes in large batches.

A commit that finds the WAL past `wal_autocheckpoint` pages copies it into the database file
and syncs it before returning: for an import chunk, about half of the commit's time. With
`Database(..., background_checkpoints=True)` the process's writers never checkpoint
(wal_autocheckpoint=0); after each commit this thread runs a PASSIVE checkpoint on its own
connection (SQLite works without the GIL, so the next chunk's Python runs meanwhile), and the
next writer starts the WAL over once the checkpoint is complete. Should checkpoints fall behind
(a reader holding an old snapshot, say), a transaction waits for the running one before it
begins once the WAL passes `wal_limit_bytes`, so the WAL and every reader's look-ups in it
stay bounded.
"""

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)
WAL_LIMIT_BYTES = 512 * 1024 * 1024


class Checkpointer:
    def __init__(self, path: Path, wal_limit_bytes: int = WAL_LIMIT_BYTES) -> None:
        self.path = path
        self.wal = path.with_name(path.name + "-wal")
        self.wal_limit_bytes = wal_limit_bytes
        self.passes = 0  # checkpoints run (for tests and benchmarks)
        self._wanted = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def after_commit(self) -> None:
        self._idle.clear()
        self._wanted.set()

    def before_begin(self) -> None:
        """Wait for the running checkpoint if the WAL has grown past the limit."""
        try:
            size = self.wal.stat().st_size
        except FileNotFoundError:
            return
        if size > self.wal_limit_bytes:
            self._idle.wait()

    def close(self) -> None:
        self._closing = True
        self._wanted.set()
        self._thread.join(30)

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                if self._closing:
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.passes += 1
                except sqlite3.Error:  # busy or locked: the next commit asks again
                    log.warning("background checkpoint of %s failed", self.path, exc_info=True)
                finally:
                    if not self._wanted.is_set():
                        self._idle.set()
        finally:
            conn.close()
            self._idle.set()
