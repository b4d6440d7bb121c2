"""The migrations build exactly the tables the code declares (no forgotten revision)."""

from alembic import command
from sqlalchemy import inspect

from rainmaker_db import upgrade
from rainmaker_db.migrate import alembic_config
from rainmaker_tagging.adapters.tables import metadata
from rainmaker_tagging.bootstrap import MIGRATIONS
from tests.support.databases import head_differences


def test_head_matches_the_declared_tables(db):
    assert head_differences(db, metadata) == []


def test_0003_adds_undone_merges_and_its_downgrade_drops_them(db, db_url):
    assert "undone_merges" in inspect(db.engine).get_table_names()
    command.downgrade(alembic_config(MIGRATIONS, db_url), "0002")
    assert "undone_merges" not in inspect(db.engine).get_table_names()
    upgrade(MIGRATIONS, db_url)
    assert "undone_merges" in inspect(db.engine).get_table_names()
