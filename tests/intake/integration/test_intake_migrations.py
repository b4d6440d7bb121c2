"""The migrations build exactly the tables intake declares (no forgotten revision), on SQLite
and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from rainmaker_bus.tables import BUS_METADATA
from rainmaker_db import Database
from rainmaker_intake.adapters.tables import metadata


def test_head_matches_the_declared_tables(intake_db: Database) -> None:
    combined = MetaData()
    for source in (metadata, BUS_METADATA):
        for table in source.tables.values():
            table.to_metadata(combined)
    with intake_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), combined)
    assert diff == []
