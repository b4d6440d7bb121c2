"""The migrations build exactly the tables the code declares (no forgotten revision)."""

from rainmaker_pipeline.adapters.tables import metadata
from tests.support.databases import head_differences


def test_head_matches_the_declared_tables(db):
    assert head_differences(db, metadata) == []
