"""insert_plain and insert_rows on real SQLite and PostgreSQL: rows land as given (as
SQLAlchemy would write them), in the caller's transaction."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
    text,
)

from rainmaker_db import Database, json_text
from rainmaker_db.bulk import (
    in_batch,
    insert_plain,
    insert_rows,
    insert_values,
    member_of,
    rows_where_in,
)

META = MetaData()
pairs = Table(
    "bulk_pairs",
    META,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key_hash", BigInteger, nullable=False),
    Column("label", String(50)),
)


@pytest.fixture
def db(database_url: str) -> Database:
    db = Database(database_url)
    with db.engine.begin() as conn:
        META.create_all(conn)
    return db


def test_rows_land_as_given(db: Database) -> None:
    rows = [(2**62 - i, f"row {i}" if i % 3 else None) for i in range(5000)]
    rows.append((-(2**62), 'tab\tquote"new\nline\\back'))  # COPY's escapes
    with db.transaction() as session:
        insert_plain(session, pairs, ("key_hash", "label"), rows)
    with db.reader() as session:
        got = session.execute(select(pairs.c.key_hash, pairs.c.label).order_by(pairs.c.id)).all()
    assert [tuple(r) for r in got] == rows


def test_rows_go_with_a_rolled_back_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        insert_plain(session, pairs, ("key_hash", "label"), [(1, "a"), (2, "b")])
        raise RuntimeError("the caller's transaction fails")
    with db.reader() as session:
        assert session.execute(select(pairs)).all() == []


def test_member_of_matches_in_on_both_databases(db: Database) -> None:
    rows = [(i, f"label {i}") for i in range(3000)]
    with db.transaction() as session:
        insert_plain(session, pairs, ("key_hash", "label"), rows)
    with db.reader() as session:
        step = in_batch(session)
        wanted = list(range(0, 6000, 2))  # half of them exist
        got: set[int] = set()
        for start in range(0, len(wanted), step):
            part = wanted[start : start + step]
            got.update(session.scalars(select(pairs.c.key_hash).where(
                member_of(session, pairs.c.key_hash, part))))  # fmt: skip
        labels = set(session.scalars(select(pairs.c.label).where(
            member_of(session, pairs.c.label, ["label 7", "label 2999", "nobody"]))))  # fmt: skip
        empty = session.scalars(select(pairs.c.id).where(member_of(session, pairs.c.id, []))).all()
    assert got == set(range(0, 3000, 2))
    assert labels == {"label 7", "label 2999"}
    assert empty == []


typed = Table(
    "bulk_typed",
    META,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("label", String(50)),
    Column("doc", JSON),
    Column("flag", Boolean, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


def test_rows_where_in_matches_in_on_both_databases(db: Database) -> None:
    rows = [(2**62 - i, f"label {i % 10}") for i in range(3000)]
    with db.transaction() as session:
        insert_plain(session, pairs, ("key_hash", "label"), rows)
    wanted = [2**62 - i for i in range(0, 6000, 2)]  # 3,000 values, half of them stored
    with db.reader() as session:
        got = rows_where_in(session, pairs, ("key_hash", "label"), "key_hash", wanted)
        fixed = rows_where_in(
            session, pairs, ("key_hash",), "key_hash", wanted, {"label": "label 4"}
        )
        by_text = rows_where_in(session, pairs, ("label",), "label", {"label 7", "nobody"})
        none = rows_where_in(session, pairs, ("id",), "id", [])
    assert sorted(got) == sorted((h, lab) for h, lab in rows if (2**62 - h) % 2 == 0)
    assert all(type(h) is int and type(lab) is str for h, lab in got)
    assert sorted(h for (h,) in fixed) == sorted(
        h for h, lab in rows if (2**62 - h) % 2 == 0 and lab == "label 4"
    )
    assert by_text == [("label 7",)] * 300
    assert none == []


def test_typed_rows_read_back_as_sqlalchemy_would_write_them(db: Database) -> None:
    at = datetime(2026, 11, 22, 12, 30, 5, 123456, tzinfo=UTC)
    rows = [
        {"label": f"row {i}", "doc": {"n": i, "tags": ["a", "é"]} if i % 2 else None,
         "flag": bool(i % 3), "at": at}
        for i in range(2000)
    ]  # fmt: skip
    with db.transaction() as session:
        insert_rows(session, typed, rows)
        session.execute(insert(typed), rows)  # the reference: SQLAlchemy's own insert
    with db.reader() as session:
        got = session.execute(select(typed).order_by(typed.c.id)).all()
        null_docs = session.scalar(
            select(func.count()).select_from(typed).where(typed.c.doc.is_(None))
        )
    ours, theirs = got[:2000], got[2000:]
    strip = [tuple(r)[1:] for r in ours]
    assert strip == [tuple(r)[1:] for r in theirs]
    assert ours[1].doc == {"n": 1, "tags": ["a", "é"]} and ours[0].doc is None
    assert ours[0].at.replace(tzinfo=UTC) == at  # SQLite hands back naive UTC
    assert null_docs in (0, 2000)  # JSON null stored alike by both paths, never one half


def test_values_given_as_is_are_stored_as_converted_ones(db: Database) -> None:
    """insert_values: JSON serialised ahead of time (json_text) is stored as the column's own
    conversion stores it, to the text (None as JSON null); other columns are still converted."""
    at = datetime(2026, 11, 22, 12, 30, tzinfo=UTC)
    docs = [{"n": i, "name": "Zoë", "list": [1, None]} for i in range(3)] + [None]
    columns = ("label", "doc", "flag", "at")
    with db.transaction() as session:
        insert_values(session, typed, columns, [(f"r{i}", d, True, at) for i, d in enumerate(docs)])
        insert_values(
            session,
            typed,
            columns,
            [(f"t{i}", json_text(d), True, at) for i, d in enumerate(docs)],
            as_is=("doc",),
        )
    with db.reader() as session:
        rows = session.execute(select(typed.c.doc, typed.c.at).order_by(typed.c.id)).all()
        stored = session.execute(text("SELECT CAST(doc AS TEXT) FROM bulk_typed ORDER BY id")).all()
    assert [r.doc for r in rows] == docs + docs
    assert all(r.at.replace(tzinfo=UTC) == at for r in rows)
    assert stored[:4] == stored[4:] and stored[3] == ("null",)
