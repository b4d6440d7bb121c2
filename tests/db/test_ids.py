"""uuid7: valid version 7 UUIDs, strictly increasing (as text too), unique."""

import time
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


def test_new_ids_carry_the_time_they_were_made() -> None:
    """The 48-bit millisecond stamp is now (a sequence that overflows carries into it, so a
    batch of many ids may run ahead by a few ms), and the random bits differ id to id."""
    now_ms = time.time_ns() // 1_000_000
    batch = new_ids(10_000)
    stamps = [uuid.UUID(i).int >> 80 for i in batch]
    assert now_ms - 5 <= stamps[0] and stamps[-1] <= now_ms + 5_000
    randoms = {uuid.UUID(i).int & ((1 << 62) - 1) for i in batch}
    assert len(randoms) == len(batch)
    assert {i[19] for i in batch} == set("89ab")  # the variant digit takes all four values
