"""uuid7: valid version 7 UUIDs, strictly increasing (as text too), unique."""

import uuid

from rainmaker_db.ids import new_id, new_ids, uuid7


def test_version_and_variant() -> None:
    u = uuid7()
    assert u.version == 7 and u.variant == uuid.RFC_4122
    assert uuid.UUID(new_id()).version == 7


def test_ids_increase_as_text_and_never_repeat() -> None:
    ids = [new_id() for _ in range(50_000)]  # many per millisecond: the sequence counts
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_new_ids_in_bulk_are_the_same_kind_and_continue_the_order() -> None:
    before = new_id()
    batch = new_ids(20_000)
    after = new_id()
    assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 7 for i in batch)
    assert all(uuid.UUID(i).variant == uuid.RFC_4122 for i in batch)
    ordered = [before, *batch, after]
    assert ordered == sorted(ordered) and len(set(ordered)) == len(ordered)
