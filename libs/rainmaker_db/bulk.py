"""Bulk inserts of plain values straight to the driver: executemany, COPY on PostgreSQL.

SQLAlchemy processes every parameter of every row in Python (~4 us a row here); for tables
of a few plain columns written by the million (an import's blocking keys) that was most of
the cost of the insert itself. Only for columns whose values the driver takes as they are
(str, int, float, None): no type needing a bind processor (dates on SQLite, JSON, enums).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def insert_plain(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT `rows` (tuples in `columns` order) into `table`, in the session's transaction."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    quote = dialect.identifier_preparer
    names = ", ".join(quote.format_column(table.c[c]) for c in columns)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        # COPY: one stream instead of a statement per row (psycopg 3, same transaction).
        raw = conn.connection.dbapi_connection
        assert raw is not None
        sql = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"
        with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        return
    mark = _MARKS.get(dialect.paramstyle)
    if mark is None:
        raise NotImplementedError(f"paramstyle {dialect.paramstyle}")
    marks = ", ".join([mark] * len(columns))
    sql = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({marks})"
    conn.exec_driver_sql(sql, list(rows))
