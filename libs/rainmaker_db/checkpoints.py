"""SQLite WAL checkpoints on a thread of their own, for a process that writes in large batches.

A commit that finds the WAL past `wal_autocheckpoint` pages copies it into the database file
and syncs it before returning: for an import chunk, about half of the commit's time. With
`Database(..., background_checkpoints=True)` the process's writers never checkpoint
(wal_autocheckpoint=0); after each commit this thread runs a PASSIVE checkpoint on its own
connection (SQLite works without the GIL, so the next chunk's Python runs meanwhile).

A writer starts the WAL over only if, when its transaction began, every frame had been
checkpointed and no reader was using the WAL. Behind a busy writer that almost never holds:
the worker begins its next chunk while the last commit's checkpoint still runs, and other
processes (the relay marking rows sent, readers polling progress) write and read between.
So once the file passes `wal_limit_bytes` the next transaction waits for a RESTART
checkpoint, which copies what is left, waits (up to `restart_wait_s`) for readers to leave
the WAL and keeps other writers out meanwhile: the writer that comes next starts the WAL
over. The writers' connections set `journal_size_limit` to the limit: a restarted WAL is
cut back to it, and otherwise written over in place rather than truncated and grown again.
"""

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)
# A 1M-row import writes ~4.8 GB of WAL; before RESTART checkpoints (session 15) the file grew
# to all of it whatever the limit. Each restart costs the writer the rest of a checkpoint
# (~0.3 s), so the limit is high. 1M rows end to end, restarting: 57.3/58.7 s at 2 GiB,
# 58.2/58.2 s at 1 GiB, 59.7 s at 512 MiB; never restarting: 59.3-60.1 s.
WAL_LIMIT_BYTES = 2 * 1024 * 1024 * 1024
# How long a RESTART checkpoint waits for readers (keeping writers out meanwhile) before it
# gives up; the next transaction past the limit tries again.
RESTART_WAIT_S = 2.0
# What a restarted WAL is truncated to (PRAGMA journal_size_limit on the writers): the limit.
# Cut back to 64 MiB, the file was truncated by up to 4 GB in one commit (1.1 s, freeing its
# cached pages) and then grown again; written over in place, the writer's commits took 1.5 s
# in all instead of 2.9 s.
WAL_KEEP_BYTES = WAL_LIMIT_BYTES


class Checkpointer:
    def __init__(
        self,
        path: Path,
        wal_limit_bytes: int = WAL_LIMIT_BYTES,
        restart_wait_s: float = RESTART_WAIT_S,
    ) -> None:
        self.path = path
        self.wal = path.with_name(path.name + "-wal")
        self.wal_limit_bytes = wal_limit_bytes
        self.restart_wait_s = restart_wait_s
        self.passes = 0  # checkpoints run (for tests and benchmarks)
        self.restarts = 0  # RESTART checkpoints that completed
        self._restart = False  # the next pass is a RESTART
        # Generations, not flags: a request made while a checkpoint runs is never lost, and a
        # waiter knows which checkpoint it waits for.
        self._asked = 0
        self._done = 0
        self._closing = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def after_commit(self) -> None:
        self._ask()

    def _ask(self, restart: bool = False) -> None:
        with self._cond:
            self._restart = self._restart or restart
            self._asked += 1
            self._cond.notify_all()

    def before_begin(self) -> None:
        """Past the limit, wait for a RESTART checkpoint: the transaction then starts the WAL
        over (unless a reader outstayed `restart_wait_s`)."""
        try:
            size = self.wal.stat().st_size
        except FileNotFoundError:
            return
        if size > self.wal_limit_bytes:
            self._ask(restart=True)
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
                    target, restart = self._asked, self._restart
                    self._restart = False  # asked for again by the next transaction past the limit
                mode = "RESTART" if restart else "PASSIVE"
                try:
                    if restart:  # the busy timeout bounds its wait (PASSIVE never waits)
                        conn.execute(f"PRAGMA busy_timeout={int(self.restart_wait_s * 1000)}")
                    busy, _, _ = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
                    self.passes += 1
                    self.restarts += restart and not busy
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
