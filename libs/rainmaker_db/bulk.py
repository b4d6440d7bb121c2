"""Bulk inserts of plain values straight to the driver: executemany, COPY on PostgreSQL.

SQLAlchemy processes every parameter of every row in Python (~4 us a row here); for tables
of a few plain columns written by the million (an import's blocking keys) that was most of
the cost of the insert itself. Only for columns whose values the driver takes as they are
(str, int, float, None): no type needing a bind processor (dates on SQLite, JSON, enums).
"""

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, String, Table, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
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


def member_of(session: Session, column: ColumnElement[Any], values: Collection[Any]) -> Any:
    """`column IN (values)`, as `column = ANY(:array)` on PostgreSQL: one parameter instead of
    thousands, which PostgreSQL parses and plans far faster (a chunk of an import asks for
    ~40,000 blocking keys). Keep lists under ~900 values on SQLite (its parameter limit)."""
    if session.get_bind().dialect.name == "postgresql":
        kind = BigInteger() if isinstance(column.type, Integer) else String()
        return column == any_(bindparam(None, list(values), type_=ARRAY(kind)))
    return column.in_(values)


def in_batch(session: Session) -> int:
    """How many values one `member_of` may take: SQLite caps bound parameters per statement."""
    return 20_000 if session.get_bind().dialect.name == "postgresql" else 900
