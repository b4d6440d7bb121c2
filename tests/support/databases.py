"""A service database migrated to head for one test, disposed afterwards."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rainmaker_db import Database, upgrade


@contextmanager
def migrated(migrations: Path, url: str) -> Iterator[Database]:
    upgrade(migrations, url)
    db = Database(url)
    try:
        yield db
    finally:
        db.dispose()
