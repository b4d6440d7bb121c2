"""The migrations build exactly the tables the code declares (no forgotten revision)."""

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from rainmaker_db import Database, upgrade
from rainmaker_db.migrate import alembic_config
from rainmaker_pipeline.adapters.tables import metadata
from rainmaker_pipeline.bootstrap import MIGRATIONS
from tests.support.databases import head_differences


def test_head_matches_the_declared_tables(db):
    assert head_differences(db, metadata) == []


def test_0002_puts_list_costs_in_their_currencys_minor_unit_and_back(database_url):
    """A list's cost came from intake in hundredths of any currency; other sources' costs
    were entered in minor units and stay."""
    upgrade(MIGRATIONS, database_url, "0001")
    db = Database(database_url)
    rows = {
        ("rented_list", "jpy"): (12_000_000, "JPY"),
        ("rented_list", "kwd"): (123, "KWD"),
        ("rented_list", "eur"): (120_000, "EUR"),
        ("event", "expo"): (500_000, "JPY"),
    }
    try:
        with db.engine.begin() as conn:
            for (kind, source_id), (cost, currency) in rows.items():
                conn.execute(
                    text("INSERT INTO sources (source_type, source_id, cost_minor, currency, "
                         "updated_at) VALUES (:k, :s, :c, :cur, :now)"),
                    {"k": kind, "s": source_id, "c": cost, "cur": currency,
                     "now": datetime(2026, 11, 22, tzinfo=UTC)},
                )  # fmt: skip

        def costs():
            with db.engine.connect() as conn:
                query = text("SELECT source_id, cost_minor FROM sources")
                return dict(conn.execute(query).all())

        upgrade(MIGRATIONS, database_url, "0002")
        assert costs() == {"jpy": 120_000, "kwd": 1_230, "eur": 120_000, "expo": 500_000}
        command.downgrade(alembic_config(MIGRATIONS, database_url), "0001")
        assert costs() == {"jpy": 12_000_000, "kwd": 123, "eur": 120_000, "expo": 500_000}
    finally:
        db.dispose()
