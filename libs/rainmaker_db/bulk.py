"""Bulk inserts straight to the driver: executemany, COPY on PostgreSQL.

SQLAlchemy builds and processes every parameter of every row in Python (~4 us a row for two
plain columns, ~25 us for a contact); for tables written by the million in an import
(contacts, touches, blocking keys) that was most of the cost of the insert itself.
`insert_plain` takes values the driver takes as they are (str, int, float, None);
`insert_rows` (dicts) and `insert_values` (tuples) take any column types and apply each column's
own bind processing (dates on SQLite, JSON) themselves, once per value, as SQLAlchemy would.
"""

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Connection,
    Integer,
    String,
    Table,
    any_,
    bindparam,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _mark(dialect: Any) -> str:
    """The driver's positional parameter marker."""
    mark = _MARKS.get(dialect.paramstyle)
    if mark is None:
        raise NotImplementedError(f"paramstyle {dialect.paramstyle}")
    return mark


def _dbapi(conn: Connection) -> Any:
    """The DBAPI connection under `conn`: the same transaction as the session's."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    return raw


def insert_plain(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
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
        raw = _dbapi(conn)
        sql = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"
        with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join([_mark(dialect)] * len(columns))
    sql = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({marks})"
    conn.exec_driver_sql(sql, list(rows))


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT dicts (all with the keys of the first) into `table`, in the session's
    transaction, with every value converted as SQLAlchemy would bind it."""
    if rows:
        columns = list(rows[0])
        _insert_converted(session, table, columns, [[r[c] for c in columns] for r in rows])


def insert_values(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    as_is: Collection[str] = (),
) -> None:
    """`insert_rows` for rows given as sequences in `columns` order: a caller writing a wide
    table by the million builds tuples, not a dict per row (for intake's contacts: ~3 us).
    Columns in `as_is` hold values already in the driver's form (a JSON column's text, made by
    `rainmaker_db.json_text`) and are not converted."""
    if rows:
        _insert_converted(session, table, columns, [list(r) for r in rows], as_is)


def _insert_converted(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: list[list[Any]],
    as_is: Collection[str] = (),
) -> None:
    """Convert `rows` (lists, changed in place) column by column, then insert them."""
    dialect = session.get_bind().dialect
    converters = (
        (i, _converter(table.c[name].type, dialect))
        for i, name in enumerate(columns)
        if name not in as_is
    )
    convert = [(i, _same_as_last(f)) for i, f in converters if f is not None]
    for values in rows:
        for i, f in convert:
            values[i] = f(values[i])
    insert_plain(session, table, columns, [tuple(values) for values in rows])


def _same_as_last(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert`, reusing its last result when given the very same object again: rows of one
    batch share their timestamps (`created_at=now`), converted once instead of per row."""
    last: list[Any] = [object(), None]

    def once(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return once


def _converter(kind: Any, dialect: Any) -> Callable[[Any], Any] | None:
    if dialect.name == "postgresql" and isinstance(kind, JSON):
        # COPY takes JSON as its text. None is JSON null unless the column says SQL NULL, as
        # SQLAlchemy binds it.
        dumps = dialect._json_serializer or json.dumps
        as_null = kind.none_as_null
        return lambda v: None if v is None and as_null else dumps(v)
    impl = kind.dialect_impl(dialect)
    return impl.bind_processor(dialect)  # type: ignore[no-any-return]


def member_of(session: Session, column: ColumnElement[Any], values: Collection[Any]) -> Any:
    """`column IN (values)`, as `column = ANY(:array)` on PostgreSQL: one parameter instead of
    thousands, which PostgreSQL parses and plans far faster (a chunk of an import asks for
    ~40,000 blocking keys). Keep lists under ~900 values on SQLite (its parameter limit)."""
    if session.get_bind().dialect.name == "postgresql":
        kind = BigInteger() if isinstance(column.type, Integer) else String()
        return column == any_(bindparam(None, list(values), type_=ARRAY(kind)))
    return column.in_(values)


def rows_where_in(
    session: Session,
    table: Table,
    columns: Sequence[str],
    column: str,
    values: Collection[Any],
    equal: Mapping[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """`SELECT columns FROM table WHERE [equal AND] column IN values`, through the driver, for
    any number of values (batched under SQLite's parameter limit; one `= ANY(array)` on
    PostgreSQL). SQLAlchemy coerces and renders every value of an IN list in Python (~10 us a
    value all told; an import chunk probes ~40,000 blocking keys), and the driver needs none
    of that for plain ints and strings. Values come back as the driver gives them: use it for
    int and string columns only."""
    if not values:
        return []
    conn = session.connection()
    dialect = conn.dialect
    quote = dialect.identifier_preparer
    names = ", ".join(quote.format_column(table.c[c]) for c in columns)
    postgres = dialect.name == "postgresql"
    mark = _mark(dialect)
    fixed = list((equal or {}).items())
    head = f"SELECT {names} FROM {quote.format_table(table)} WHERE " + "".join(
        f"{quote.format_column(table.c[c])} = {mark} AND " for c, _ in fixed
    )
    fixed_values = tuple(v for _, v in fixed)
    target = quote.format_column(table.c[column])
    # The DBAPI cursor of the session's own connection (same transaction): its fetchall
    # gives plain tuples, where a Result fetched row by row (~2.5 us a row).
    cursor = _dbapi(conn).cursor()
    try:
        if postgres:
            kind = "bigint" if isinstance(table.c[column].type, Integer) else "text"
            cursor.execute(f"{head}{target} = ANY(%s::{kind}[])", (*fixed_values, list(values)))
            return list(cursor.fetchall())
        ordered = list(values)
        out: list[tuple[Any, ...]] = []
        step = 900 - len(fixed_values)  # SQLite's default cap is 999 parameters a statement
        for start in range(0, len(ordered), step):
            part = tuple(ordered[start : start + step])
            cursor.execute(
                f"{head}{target} IN ({', '.join([mark] * len(part))})", fixed_values + part
            )
            out.extend(cursor.fetchall())
        return out
    finally:
        cursor.close()


def in_batch(session: Session) -> int:
    """How many values one `member_of` may take: SQLite caps bound parameters per statement."""
    return 20_000 if session.get_bind().dialect.name == "postgresql" else 900
