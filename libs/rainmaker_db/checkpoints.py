"""SQLite WAL checkpoints on a thread of their own, for a process that writes in large batches.

A commit that finds the WAL past `wal_autocheckpoint` pages copies it into the database file
and syncs it before returning: for an import chunk, about half of the commit's time. With
`Database(..., background_checkpoints=True)` the process's writers never checkpoint
(wal_autocheckpoint=0); after each commit this thread runs a PASSIVE checkpoint on its own
connection (SQLite works without the GIL, so the next chunk's Python runs meanwhile), and a
writer starts the WAL over once a checkpoint has completed. The WAL may still grow while
checkpoints run behind the writer, or while a reader holds an old snapshot: once the file
passes `wal_limit_bytes`, a transaction waits for the checkpoints asked for so far before it
begins. The writers' connections set `journal_size_limit`, so a WAL started over is cut back
to that size and the file's size says how far behind the checkpoints are.
"""

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)
# Readers (a relay, the web app) and the relay's own commits keep a writer from starting the
# WAL over most of the time, so during a 1M-row import it grows past 1 GiB between restarts;
# with 512 MiB the import worker waited for checkpoints 8% of its time (1M rows end to end:
# 63.6-63.9 s with 2 GiB against 64.9-65.8 s).
WAL_LIMIT_BYTES = 2 * 1024 * 1024 * 1024
# What a restarted WAL is truncated to (PRAGMA journal_size_limit on the writers).
WAL_KEEP_BYTES = 64 * 1024 * 1024


class Checkpointer:
    def __init__(self, path: Path, wal_limit_bytes: int = WAL_LIMIT_BYTES) -> None:
        self.path = path
        self.wal = path.with_name(path.name + "-wal")
        self.wal_limit_bytes = wal_limit_bytes
        self.passes = 0  # checkpoints run (for tests and benchmarks)
        # Generations, not flags: a request made while a checkpoint runs is never lost, and a
        # waiter knows which checkpoint it waits for.
        self._asked = 0
        self._done = 0
        self._closing = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def after_commit(self) -> None:
        with self._cond:
            self._asked += 1
            self._cond.notify_all()

    def before_begin(self) -> None:
        """Wait for the checkpoints asked for so far if the WAL has grown past the limit."""
        try:
            size = self.wal.stat().st_size
        except FileNotFoundError:
            return
        if size > self.wal_limit_bytes:
            self.wait_idle()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every checkpoint asked for has run (or the thread is closing)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._done >= self._asked or self._closing, timeout)

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(30)

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._asked > self._done or self._closing)
                    if self._closing:
                        return
                    target = self._asked
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.passes += 1
                except sqlite3.Error:  # busy or locked: the next commit asks again
                    log.warning("background checkpoint of %s failed", self.path, exc_info=True)
                with self._cond:
                    self._done = target
                    self._cond.notify_all()
        finally:
            conn.close()
            with self._cond:
                self._closing = True
                self._cond.notify_all()
