"""The migrations build exactly the tables the code declares (no forgotten revision)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from rainmaker_bus.tables import BUS_METADATA
from rainmaker_pipeline.adapters.tables import metadata


def test_head_matches_the_declared_tables(db):
    combined = MetaData()
    for source in (metadata, BUS_METADATA):
        for table in source.tables.values():
            table.to_metadata(combined)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), combined)
    assert diff == []
