"""The migrations build exactly the tables intake declares (no forgotten revision), on SQLite
and PostgreSQL."""

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from rainmaker_db import Database, upgrade
from rainmaker_db.migrate import alembic_config
from rainmaker_intake.adapters.contact_store import allocate_contact_nos
from rainmaker_intake.adapters.tables import metadata
from rainmaker_intake.bootstrap import MIGRATIONS
from tests.support.databases import head_differences


def test_head_matches_the_declared_tables(intake_db: Database) -> None:
    assert head_differences(intake_db, metadata) == []


def test_0004_moves_stored_keys_to_contact_numbers_and_back(database_url: str) -> None:
    """A database with contacts and keys from before 0004 keeps every key, now by number."""
    upgrade(MIGRATIONS, database_url, "0003")
    db = Database(database_url)
    now = datetime(2026, 11, 22, tzinfo=UTC)
    try:
        with db.engine.begin() as conn:
            for lead in ("lead-a", "lead-b", "lead-c"):
                conn.execute(
                    text(
                        "INSERT INTO contacts (lead_id, attributes, is_customer, created_at, "
                        "updated_at) VALUES (:lead, '{}', false, :now, :now)"
                    ),
                    {"lead": lead, "now": now},
                )
            keys = [(11, "lead-a"), (12, "lead-a"), (11, "lead-b"), (13, "lead-c")]
            for key, lead in keys:
                conn.execute(
                    text("INSERT INTO contact_keys (key_hash, lead_id) VALUES (:k, :lead)"),
                    {"k": key, "lead": lead},
                )
        upgrade(MIGRATIONS, database_url)
        with db.engine.connect() as conn:
            numbers: dict[str, int] = dict(
                conn.execute(text("SELECT lead_id, contact_no FROM contacts")).all()
            )
            moved = conn.execute(text("SELECT key_hash, contact_no FROM contact_keys")).all()
        assert len(set(numbers.values())) == 3
        assert sorted(moved) == sorted((k, numbers[lead]) for k, lead in keys)
        # New contacts are numbered after the migrated ones.
        with db.transaction() as session:
            fresh = allocate_contact_nos(session, 2)
        assert min(fresh) > max(numbers.values()) and len(set(fresh)) == 2
        command.downgrade(alembic_config(MIGRATIONS, database_url), "0003")
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT key_hash, lead_id FROM contact_keys")).all()
        assert sorted(back) == sorted(keys)
    finally:
        db.dispose()
