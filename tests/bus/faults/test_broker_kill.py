"""kill -9 the broker twice while 10,000 events flow outbox -> relay -> broker -> consumer.

Relay and consumer are OS processes that are never restarted: they must reconnect on their own.
With publisher confirms every event takes effect exactly once; the negative control (the same
run with confirms off, large relay batches, kills while the relay is mid-batch) must lose some.
"""

import time

import pytest

from tests.bus.app import QUEUE, effect_counts, emit, queue_depth, setup_db, unsent
from tests.bus.conftest import fast_settings
from tests.support import wait_for

pytestmark = pytest.mark.fault

N = 10_000


def run_with_two_kills(fault_rabbit, declared, url, procs, tmp_path, *, confirms, relay_batch):
    producer_url = f"sqlite:///{tmp_path / 'producer.db'}"
    consumer_url = f"sqlite:///{tmp_path / 'consumer.db'}"
    producer, consumer_db = setup_db(producer_url), setup_db(consumer_url)
    emit(producer, list(range(N)), chunk=2000)
    settings = fast_settings(url, relay_batch=relay_batch)
    declared(settings)
    consumer = procs.start("consumer", consumer_url, settings)
    relay = procs.start("relay", producer_url, settings, *([] if confirms else ["--no-confirms"]))
    kills = []
    for fraction in (0.2, 0.6):
        # Kill while the relay is mid-stream: poll the outbox closely and strike at once.
        wait_for(relayed_at_least(producer, fraction * N), 120, 0.01, f"{fraction:.0%} relayed")
        kills.append(N - unsent(producer))
        fault_rabbit.kill9()
        fault_rabbit.start()
    wait_for(lambda: unsent(producer) == 0, 180, message="outbox drained")
    return producer, consumer_db, consumer, relay, kills


def relayed_at_least(producer, n):
    return lambda: N - unsent(producer) >= n


def settled(consumer_db, url, quiet_s=5.0):
    """Effects no longer change and the queue is empty (for the control, where some are lost)."""
    last, since = None, time.monotonic()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        now = len(effect_counts(consumer_db))
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > quiet_s and queue_depth(url, QUEUE.name) == 0:
            return now
        time.sleep(0.2)
    raise AssertionError("effects never settled")


def test_broker_killed_twice_every_event_takes_effect_exactly_once(
    fault_rabbit, declared, fault_url, procs, tmp_path
):
    _, consumer_db, consumer, relay, kills = run_with_two_kills(
        fault_rabbit, declared, fault_url, procs, tmp_path, confirms=True, relay_batch=500
    )
    wait_for(
        lambda: len(effect_counts(consumer_db)) == N, 240, interval=0.5, message=f"{N} effects"
    )
    counts = effect_counts(consumer_db)
    assert len(counts) == N
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
    assert consumer.poll() is None and relay.poll() is None  # survived without restarts
    for p in (consumer, relay):  # and really lost their connection and came back by themselves
        # (a process still backing off from the first kill may see the second one as the same)
        assert "channel ready (generation 2)" in procs.log(p), procs.log(p)[-3000:]
    print(f"\nconfirms on: killed at {kills} relayed; {N} of {N} effects, no doubles")


def test_control_without_confirms_events_are_lost(
    fault_rabbit, declared, fault_url, procs, tmp_path
):
    _, consumer_db, consumer, relay, kills = run_with_two_kills(
        fault_rabbit, declared, fault_url, procs, tmp_path, confirms=False, relay_batch=5000
    )
    got = settled(consumer_db, fault_url)
    lost = N - got
    print(f"\nconfirms off: killed at {kills} relayed; outbox all marked sent; lost {lost} of {N}")
    assert lost > 0, "the broker kills did not hit: nothing was lost even without confirms"
    assert consumer.poll() is None and relay.poll() is None
