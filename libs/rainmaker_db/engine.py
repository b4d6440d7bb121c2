"""Engines built from `<SERVICE>_DATABASE_URL`, defaulting to a SQLite file under var/."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from rainmaker_db.checkpoints import WAL_KEEP_BYTES, Checkpointer

SQLITE_BUSY_TIMEOUT_MS = 30_000


def var_dir() -> Path:
    """Runtime state (databases, broker data, uploads): RAINMAKER_VAR_DIR or ./var."""
    path = Path(os.environ.get("RAINMAKER_VAR_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(service: str) -> str:
    env = os.environ.get(f"{service.upper()}_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{var_dir() / f'{service}.db'}"


SQLITE_CACHE_KIB = int(os.environ.get("RAINMAKER_SQLITE_CACHE_MIB", "64")) * 1024
SQLITE_WAL_AUTOCHECKPOINT = int(os.environ.get("RAINMAKER_SQLITE_WAL_AUTOCHECKPOINT", "20000"))
# A new file's page size (a file keeps the one it was made with). 16 KiB, not SQLite's 4 KiB:
# an import's B-trees (the random blocking-key index above all) take a quarter of the pages,
# so fewer page reads, splits and WAL frames; the 1M-row import's worker used 51.5 s of CPU
# instead of 53.8 s.
SQLITE_PAGE_SIZE = int(os.environ.get("RAINMAKER_SQLITE_PAGE_SIZE", "16384"))


def _sqlite_pragmas(
    dbapi_conn: Any, _record: Any, autocheckpoint: int, wal_keep_bytes: int | None
) -> None:
    # Web, consumer and relay processes share the file: WAL lets readers run beside one writer,
    # and the busy timeout makes writers queue instead of failing with "database is locked".
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")  # before WAL: a no-op on a made file
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # Negative: KiB. SQLite's default 2 MiB cache thrashes once the indexes of a table written
    # in bulk (random UUID and hash keys) outgrow it; pages are only taken as they are used.
    cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    # Pages, not the default 1,000 (4 MiB): a chunk of an import dirties thousands of pages of
    # the (random) blocking-key index, and each checkpoint writes them to the file again and
    # syncs. With 20,000, commits of a 400,000-row import took 15-16 s instead of 20 s, and
    # the import 104-121 s instead of 128-130 s (three runs each on the 2-core machine).
    cur.execute(f"PRAGMA wal_autocheckpoint={autocheckpoint}")
    if wal_keep_bytes is not None:  # a WAL started over is cut back to this size
        cur.execute(f"PRAGMA journal_size_limit={wal_keep_bytes}")
    cur.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock at BEGIN: a deferred transaction that later upgrades to a writer can
    # fail with SQLITE_BUSY without waiting for the busy timeout.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def json_text(value: Any) -> str:
    """A value as every engine here writes it to a JSON column: a caller may serialise a value
    ahead of time (in another process) and insert the text as it is (bulk.insert_values)."""
    return orjson.dumps(value, default=str).decode()


def make_engine(
    url: str,
    *,
    immediate: bool = True,
    wal_autocheckpoint: int = SQLITE_WAL_AUTOCHECKPOINT,
    wal_keep_bytes: int | None = None,
    **kwargs: Any,
) -> Engine:
    # JSON columns (a touch's original row, attributes) are written per row of an import.
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        pragmas = partial(
            _sqlite_pragmas, autocheckpoint=wal_autocheckpoint, wal_keep_bytes=wal_keep_bytes
        )
        event.listen(engine, "connect", pragmas)
        # Let SQLAlchemy, not pysqlite, emit BEGIN so our BEGIN IMMEDIATE is used.
        event.listen(engine, "connect", lambda c, _r: setattr(c, "isolation_level", None))
        if immediate:
            event.listen(engine, "begin", _sqlite_begin_immediate)
        else:
            event.listen(engine, "begin", lambda c: c.exec_driver_sql("BEGIN"))
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Database:
    """A service's engine and session factory, built once in its composition root."""

    def __init__(
        self, url: str, *, background_checkpoints: bool = False, **engine_kwargs: Any
    ) -> None:
        """`background_checkpoints`: on SQLite, WAL checkpoints run on a thread of their own
        instead of in commits (rainmaker_db.checkpoints): for a process writing large batches."""
        self.url = url
        self.checkpointer: Checkpointer | None = None
        if background_checkpoints and url.startswith("sqlite"):
            engine_kwargs["wal_autocheckpoint"] = 0
            engine_kwargs.setdefault("wal_keep_bytes", WAL_KEEP_BYTES)
            database = make_url(url).database
            assert database, "background checkpoints need a database file"
            self.checkpointer = Checkpointer(Path(database))
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite writers BEGIN IMMEDIATE; readers get a deferred engine so WAL lets them run
        # beside a writer instead of queueing for the write lock.
        self.read_engine = (
            make_engine(url, immediate=False, **engine_kwargs) if self.is_sqlite else self.engine
        )
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)

    @classmethod
    def for_service(cls, service: str) -> "Database":
        return cls(database_url(service))

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any exception."""
        if self.checkpointer is not None:
            self.checkpointer.before_begin()
        with self.sessions() as session, session.begin():
            yield session
        if self.checkpointer is not None:
            self.checkpointer.after_commit()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session (never commits)."""
        with self.read_sessions() as session:
            yield session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.close()
        self.engine.dispose()
        self.read_engine.dispose()
