"""Consumer against a real broker and database: inbox, retries, dead letters with reasons."""

import json
import uuid

import pytest
from sqlalchemy import select, update

from rainmaker_bus import Batched, BusSettings, Consumer, Relay, add_events
from rainmaker_bus import messages as m
from rainmaker_bus.dlq import count_dead, iter_dead
from rainmaker_bus.tables import inbox, outbox
from tests.bus.app import (
    EVENT,
    QUEUE,
    UPSERT,
    Behaviour,
    claim,
    effect_counts,
    emit,
    emit_raw,
    handlers,
    queue_depth,
    unsent,
)
from tests.bus.conftest import fast_settings
from tests.support import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def run_bus(db, bus_settings, in_thread):
    """Start a relay and a consumer of pipeline.events (threads) with the given behaviour."""

    def start(
        b: Behaviour, use_inbox: bool = True, settings: BusSettings | None = None
    ) -> Consumer:
        settings = settings or bus_settings
        consumer = Consumer(db, settings, QUEUE, handlers(b), use_inbox=use_inbox)
        in_thread(consumer)
        in_thread(Relay(db, settings))
        assert consumer.link.wait_ready(30)  # topology declared, consuming
        return consumer

    return start


def inbox_ids(db):
    with db.reader() as s:
        return set(
            s.execute(select(inbox.c.message_id).where(inbox.c.queue == QUEUE.name)).scalars()
        )


def test_effect_and_inbox_commit_together(db, run_bus, bus_settings):
    b = Behaviour(fail_on={"lead-1"})
    # The test clears fail_on between lead-1's first attempt and a retry: a long last back-off
    # keeps a slow test thread from missing every retry (lead-1 would be dead-lettered).
    settings = fast_settings(bus_settings.amqp_url, retry_delays_s=(0.2, 10.0))
    consumer = run_bus(b, settings=settings)
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
    # The counter is bumped just after the commit the wait above saw.
    wait_for(lambda: consumer.processed == 2, 30, message="two processed")


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
    # Also wait for the relay to mark the row sent (after its confirm, which may land after
    # the effect): a mark after the reset below would undo it, and nothing would be re-sent.
    wait_for(
        lambda: effect_counts(db).get("lead-7") and unsent(db) == 0,
        30,
        message="first delivery applied and marked sent",
    )
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
    # Counted once the dead letter is confirmed, which may be after it shows in the queue.
    wait_for(lambda: consumer.dead_lettered == 1, 30, message="dead letter counted")
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


def run_on_backlog(db, bus_settings, in_thread, consumer: Consumer, n: int) -> None:
    """Publish every staged event and let all n reach the consumer before its worker starts,
    so the worker's first batch holds them all (not just whatever had arrived)."""
    in_thread(Relay(db, bus_settings))
    wait_for(lambda: unsent(db) == 0, 30, message="all events published")
    consumer.link.start()  # run() finds the link started
    wait_for(lambda: len(consumer.deliveries) == n, 30, message=f"{n} deliveries waiting")
    in_thread(consumer)


def test_batched_handler_takes_runs_and_keeps_order_across_types(db, bus_settings, in_thread):
    """Consecutive messages of a Batched type come in one call; the plain handler of another
    type runs between runs, so the effects follow the queue's order."""
    order: list[str] = []
    calls: list[int] = []

    def on_claims(session, messages):
        calls.append(len(messages))
        for env, data in messages:
            session.execute(UPSERT, {"m": env.id, "lead": data["lead_id"]})
            order.append(data["lead_id"])

    def on_erased(session, env, data):
        order.append(f"erased:{data['lead_id']}")

    with db.transaction() as session:
        expected: list[str] = []
        for i in range(30):
            if i % 10 == 9:
                add_events(session, "lead.erased", [{"lead_id": f"x-{i}"}], producer="t")
                expected.append(f"erased:x-{i}")
            else:
                add_events(session, EVENT, [claim(i)], producer="t")
                expected.append(f"lead-{i}")
    handlers = {EVENT: Batched(on_claims), "lead.erased": on_erased}
    consumer = Consumer(db, bus_settings, QUEUE, handlers)
    run_on_backlog(db, bus_settings, in_thread, consumer, 30)
    wait_for(lambda: consumer.processed == 30, 30, message="all 30 handled")
    assert order == expected
    assert calls == [9, 9, 9]  # each run of claims between two erasures came in one call
    assert len(effect_counts(db)) == 27
    assert len(inbox_ids(db)) == 30


def test_batched_handler_failure_retries_only_the_failing_message(db, bus_settings, in_thread):
    calls: list[list[str]] = []

    def on_claims(session, messages):
        calls.append([data["lead_id"] for _, data in messages])
        for env, data in messages:
            if data["lead_id"] == "lead-bad":
                raise RuntimeError("handler refuses lead-bad")
            session.execute(UPSERT, {"m": env.id, "lead": data["lead_id"]})

    ids = emit(db, [0, 1, 2, "lead-bad", 3, 4])
    consumer = Consumer(db, bus_settings, QUEUE, {EVENT: Batched(on_claims)})
    run_on_backlog(db, bus_settings, in_thread, consumer, 6)
    wait_for(lambda: count_dead(bus_settings)[QUEUE.name] == 1, 30, message="one dead letter")
    # The batch failed as a whole, then ran message by message: the good ones committed once.
    assert calls[0] == ["lead-0", "lead-1", "lead-2", "lead-bad", "lead-3", "lead-4"]
    assert calls[1:7] == [[x] for x in calls[0]]
    assert effect_counts(db) == {f"lead-{i}": 1 for i in range(5)}
    [dead] = list(iter_dead(bus_settings, [QUEUE.name]))
    assert dead.message_id == ids[3]
    assert dead.error == "RuntimeError: handler refuses lead-bad"
    assert dead.attempts == 1 + len(bus_settings.retry_delays_s)
    assert consumer.processed == 5
