"""A service database migrated to head for one test, disposed afterwards."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from rainmaker_bus.tables import BUS_METADATA
from rainmaker_db import Database, upgrade


@contextmanager
def migrated(migrations: Path, url: str) -> Iterator[Database]:
    upgrade(migrations, url)
    db = Database(url)
    try:
        yield db
    finally:
        db.dispose()


def head_differences(db: Database, metadata: MetaData) -> list[object]:
    """What a migrated database lacks or has beyond a service's declared tables plus the
    bus's (outbox, inbox): empty when no revision was forgotten."""
    combined = MetaData()
    for source in (metadata, BUS_METADATA):
        for table in source.tables.values():
            table.to_metadata(combined)
    with db.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), combined))
