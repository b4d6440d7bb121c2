"""The migrations build exactly the tables matching declares (no forgotten revision), on
SQLite and PostgreSQL, and each revision goes down again."""

from alembic import command

from rainmaker_db.migrate import alembic_config
from rainmaker_matching.adapters.tables import metadata
from rainmaker_matching.bootstrap import MIGRATIONS
from tests.support.databases import head_differences, migrated


def test_head_matches_the_declared_tables(database_url: str) -> None:
    with migrated(MIGRATIONS, database_url) as db:
        assert head_differences(db, metadata) == []


def test_every_revision_goes_down_and_up_again(database_url: str) -> None:
    config = alembic_config(MIGRATIONS, database_url)
    with migrated(MIGRATIONS, database_url) as db:
        command.downgrade(config, "base")
        command.upgrade(config, "head")
        assert head_differences(db, metadata) == []
