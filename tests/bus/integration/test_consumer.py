"""Consumer against a real broker and database: inbox, retries, dead letters with reasons."""

import json
import uuid

import pytest
from sqlalchemy import select, update

from rainmaker_bus import Consumer, Relay
from rainmaker_bus import messages as m
from rainmaker_bus.dlq import count_dead, iter_dead
from rainmaker_bus.tables import inbox, outbox
from tests.bus.app import (
    QUEUE,
    Behaviour,
    effect_counts,
    emit,
    emit_raw,
    handlers,
    queue_depth,
)
from tests.support import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def run_bus(db, bus_settings, in_thread):
    """Start a relay and a consumer of pipeline.events (threads) with the given behaviour."""

    def start(b: Behaviour, use_inbox: bool = True) -> Consumer:
        consumer = Consumer(db, bus_settings, QUEUE, handlers(b), use_inbox=use_inbox)
        in_thread(consumer)
        in_thread(Relay(db, bus_settings))
        assert consumer.link.wait_ready(30)  # topology declared, consuming
        return consumer

    return start


def inbox_ids(db):
    with db.reader() as s:
        return set(
            s.execute(select(inbox.c.message_id).where(inbox.c.queue == QUEUE.name)).scalars()
        )


def test_effect_and_inbox_commit_together(db, run_bus):
    b = Behaviour(fail_on={"lead-1"})
    consumer = run_bus(b)
    ids = emit(db, [0, 1])
    wait_for(lambda: "lead-0" in effect_counts(db), 30, message="lead-0 applied")
    wait_for(lambda: b.calls.count(ids[1]) >= 1, 30, message="lead-1 attempted")
    # lead-1's handler raised after nothing was written: neither effect nor inbox row exists.
    assert "lead-1" not in effect_counts(db)
    assert inbox_ids(db) == {ids[0]}
    b.fail_on.clear()  # the next attempt (from the retry queue) succeeds
    wait_for(lambda: "lead-1" in effect_counts(db), 30, message="lead-1 applied on retry")
    assert effect_counts(db) == {"lead-0": 1, "lead-1": 1}
    assert inbox_ids(db) == set(ids)
    assert consumer.processed == 2


def test_handler_writes_are_rolled_back_with_its_failure(db, bus_settings, in_thread):
    """A handler that writes, then raises: its write must not survive (savepoint rollback)."""
    seen: list[str] = []

    def half_then_fail(session, env, data):
        from tests.bus.app import UPSERT

        session.execute(UPSERT, {"m": env.id, "lead": data["lead_id"]})
        seen.append(env.id)
        if len(seen) == 1:
            raise RuntimeError("failed after writing")

    in_thread(Consumer(db, bus_settings, QUEUE, {"prospect.claimed": half_then_fail}))
    in_thread(Relay(db, bus_settings))
    emit(db, [0, 1, 2])
    wait_for(lambda: len(effect_counts(db)) == 3 and len(seen) >= 4, 30, message="all applied")
    assert effect_counts(db) == {"lead-0": 1, "lead-1": 1, "lead-2": 1}


@pytest.mark.parametrize("use_inbox", [True, False], ids=["inbox", "no-inbox-control"])
def test_redelivered_message_has_no_second_effect(db, run_bus, use_inbox):
    b = Behaviour()
    [mid] = emit(db, [7])
    consumer = run_bus(b, use_inbox=use_inbox)
    wait_for(lambda: effect_counts(db).get("lead-7"), 30, message="first delivery applied")
    # The relay crashed before marking the row: it publishes the same message (same id) again.
    with db.transaction() as s:
        s.execute(update(outbox).where(outbox.c.message_id == mid).values(published_at=None))
    if use_inbox:
        wait_for(lambda: consumer.duplicates == 1, 30, message="duplicate acked without effect")
        assert b.calls == [mid]  # the handler did not even run
        assert effect_counts(db) == {"lead-7": 1}
    else:  # the control: without the inbox the same message takes effect twice
        wait_for(lambda: effect_counts(db)["lead-7"] == 2, 30, message="second effect")
        assert b.calls == [mid, mid]


def test_always_failing_message_is_retried_then_dead_lettered_with_error(db, run_bus, bus_settings):
    b = Behaviour(fail_on={"lead-bad"})
    consumer = run_bus(b)
    ids = emit(db, [1, "lead-bad", 2])
    wait_for(lambda: count_dead(bus_settings)[QUEUE.name] == 1, 30, message="one dead letter")
    assert b.calls.count(ids[1]) == 1 + len(bus_settings.retry_delays_s)
    assert effect_counts(db) == {"lead-1": 1, "lead-2": 1}
    [dead] = list(iter_dead(bus_settings, [QUEUE.name]))
    assert dead.message_id == ids[1] and dead.event_type == "prospect.claimed"
    assert dead.error == "RuntimeError: handler refuses lead-bad"
    assert dead.headers[m.ERROR] == dead.error and dead.headers[m.QUEUE] == QUEUE.name
    assert dead.attempts == 1 + len(bus_settings.retry_delays_s)
    assert json.loads(dead.body)["id"] == ids[1]
    assert consumer.dead_lettered == 1
    assert queue_depth(bus_settings.amqp_url, QUEUE.name) == 0


def test_contract_invalid_message_is_dead_lettered_at_once_with_reason(db, run_bus, bus_settings):
    b = Behaviour()
    run_bus(b)
    poison_id = str(uuid.uuid4())
    body = {
        "id": poison_id,
        "type": "prospect.claimed",
        "version": 1,
        "occurred_at": "2024-05-01T12:00:00+00:00",
        "producer": "buggy",
        "data": {"claim_id": "c", "am_id": "am-1", "claimed_at": "yesterday"},
    }
    emit_raw(db, json.dumps(body).encode(), poison_id)
    emit(db, [1])
    wait_for(lambda: count_dead(bus_settings)[QUEUE.name] == 1, 30, message="poison dead-lettered")
    wait_for(lambda: effect_counts(db) == {"lead-1": 1}, 30, message="good message applied")
    [dead] = list(iter_dead(bus_settings, [QUEUE.name]))
    assert dead.message_id == poison_id
    assert dead.error.startswith("contract: prospect.claimed v1 data is invalid")
    assert '"lead_id"' in dead.error and '"claimed_at"' in dead.error  # the field paths
    assert dead.attempts == 1  # not retried: retrying cannot fix a contract
    assert poison_id not in b.calls
