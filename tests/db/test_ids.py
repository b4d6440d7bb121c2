"""uuid7: valid version 7 UUIDs, strictly increasing (as text too), unique."""

import uuid

from rainmaker_db.ids import new_id, uuid7


def test_version_and_variant() -> None:
    u = uuid7()
    assert u.version == 7 and u.variant == uuid.RFC_4122
    assert uuid.UUID(new_id()).version == 7


def test_ids_increase_as_text_and_never_repeat() -> None:
    ids = [new_id() for _ in range(50_000)]  # many per millisecond: the sequence counts
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
