"""Dialect-aware upserts for any service (SQLite and PostgreSQL both speak ON CONFLICT)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def insert_missing(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Insert rows whose key is not there yet; existing rows are left as they are."""
    if rows:
        session.execute(_insert(session, table).on_conflict_do_nothing(index_elements=keys), rows)


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert rows, or overwrite the `update` columns of the rows already there."""
    if rows:
        stmt = _insert(session, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=keys, set_={col: stmt.excluded[col] for col in update}
        )
        session.execute(stmt, rows)
