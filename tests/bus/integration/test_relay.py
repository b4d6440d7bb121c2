"""Outbox and relay against a real broker and database: commit-or-nothing, confirm-then-mark."""

import threading

import pytest
from sqlalchemy import select

from rainmaker_bus import Relay, add_event
from rainmaker_bus.link import PublishError
from tests.bus.app import (
    EVENT,
    QUEUE,
    claim,
    effects,
    emit,
    queue_depth,
    unsent,
    vhost_of,
)
from tests.bus.conftest import fast_settings
from tests.support import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def relay(db, bus_settings):
    r = Relay(db, bus_settings)
    r.link.start()
    assert r.link.wait_ready(30)
    yield r
    r.link.stop()


def test_rolled_back_transaction_publishes_nothing(db, relay, bus_settings):
    with pytest.raises(RuntimeError), db.transaction() as session:
        add_event(session, EVENT, claim("rolled-back"), producer="t")
        session.execute(effects.insert().values(message_id="x", lead_id="x", n=1))
        raise RuntimeError("the state change failed")
    kept = emit(db, ["committed"])
    assert relay.relay_once() == 1
    assert relay.relay_once() == 0
    assert queue_depth(bus_settings.amqp_url, QUEUE.name) == 1
    with db.reader() as session:
        assert session.execute(select(effects)).all() == []  # the state change went too
    assert len(kept) == 1 and unsent(db) == 0


def test_uncommitted_row_is_invisible_to_the_relay(db, relay):
    staged = threading.Event()
    release = threading.Event()

    def producer():
        with db.transaction() as session:
            add_event(session, EVENT, claim("pending"), producer="t")
            session.flush()
            staged.set()
            release.wait(10)

    t = threading.Thread(target=producer)
    t.start()
    try:
        assert staged.wait(10)
        assert relay.relay_once() == 0  # the row exists only inside the open transaction
    finally:
        release.set()
        t.join(10)
    assert relay.relay_once() == 1


def test_nacked_publish_leaves_rows_unsent_until_confirmed(db, relay, bus_settings, rabbit):
    """The broker refuses (queue full, overflow=reject-publish): nothing may be marked sent."""
    vhost = vhost_of(bus_settings.amqp_url)

    def limit(n):
        rabbit.ctl(
            "set_policy",
            "-p",
            vhost,
            "--apply-to",
            "queues",
            "limit",
            f"^{QUEUE.name}$",
            f'{{"max-length": {n}}}',
        )

    limit(0)
    try:
        # A quorum queue checks its limit before a burst lands: fill it with one message first.
        emit(db, [0])
        assert wait_for(lambda: _accepted(relay), 30, message="first message in") == 1
        emit(db, [1, 2, 3])
        with pytest.raises(PublishError, match="nack"):
            relay.relay_once()
        assert unsent(db) == 3  # none marked
    finally:
        limit(100_000)
    # The queue takes messages again a moment after the policy went: the rows go out then.
    assert wait_for(lambda: _accepted(relay), 30, message="rows accepted") == 3
    assert unsent(db) == 0
    assert queue_depth(bus_settings.amqp_url, QUEUE.name) >= 4
    rabbit.ctl("clear_policy", "-p", vhost, "limit")


def _accepted(relay):
    try:
        return relay.relay_once()
    except PublishError:
        return 0


def test_unreachable_broker_marks_nothing(db):
    settings = fast_settings("amqp://guest:guest@127.0.0.1:9/%2F", confirm_timeout_s=1.0)
    relay = Relay(db, settings)
    relay.link.start()
    emit(db, [1, 2])
    try:
        with pytest.raises(PublishError):
            relay.relay_once()
    finally:
        relay.link.stop()
    assert unsent(db) == 2


def test_relay_process_loop_publishes_everything_and_purges_nothing_recent(
    db, bus_settings, in_thread
):
    emit(db, list(range(1200)), chunk=300)
    relay = Relay(db, bus_settings)
    in_thread(relay)
    wait_for(lambda: unsent(db) == 0, 60, message="outbox drained")
    wait_for(
        lambda: queue_depth(bus_settings.amqp_url, QUEUE.name) == 1200,
        30,
        message="1200 messages in the queue",
    )
    # The relay counts a flight after the commit that marks its rows sent, which the waits
    # above see: poll the counter, do not read it once.
    wait_for(lambda: relay.published == 1200, 30, message="1200 counted as published")


def test_competing_relays_publish_every_row(db, bus_settings, in_thread, database_url):
    """Two relays on one outbox (scale-out): every row goes out; on PostgreSQL exactly once
    (rows are locked with SKIP LOCKED while in flight), on SQLite at least once."""
    emit(db, list(range(3000)), chunk=500)
    relays = [Relay(db, bus_settings, name=f"relay-{i}") for i in range(2)]
    for r in relays:
        in_thread(r)
    wait_for(lambda: unsent(db) == 0, 60, message="outbox drained")
    depth = wait_for(
        lambda: queue_depth(bus_settings.amqp_url, QUEUE.name) >= 3000,
        30,
        message="3000 in the queue",
    )
    assert depth
    total = queue_depth(bus_settings.amqp_url, QUEUE.name)
    if database_url.startswith("postgresql"):
        assert total == 3000
        # Counted after the commit the drain wait saw (see the test above).
        counted = lambda: sum(r.published for r in relays) == 3000  # noqa: E731
        wait_for(counted, 30, message="3000 counted as published")
    else:
        assert total >= 3000
