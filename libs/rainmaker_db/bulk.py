"""Bulk inserts of plain values straight to the driver's executemany.

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
    """INSERT `rows` (tuples in `columns` order) into `table` in one executemany."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    mark = _MARKS.get(dialect.paramstyle)
    if mark is None:
        raise NotImplementedError(f"paramstyle {dialect.paramstyle}")
    quote = dialect.identifier_preparer
    names = ", ".join(quote.format_column(table.c[c]) for c in columns)
    marks = ", ".join([mark] * len(columns))
    sql = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({marks})"
    conn.exec_driver_sql(sql, list(rows))
