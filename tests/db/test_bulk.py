"""insert_plain on real SQLite and PostgreSQL: rows land as given, in the caller's transaction."""

import pytest
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, select

from rainmaker_db import Database
from rainmaker_db.bulk import in_batch, insert_plain, member_of

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
    rows.append((-(2**62), "tab\tquote\"new\nline\\back"))  # COPY's escapes
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
