"""A handler that works 6 s with a 2 s heartbeat: the connection stays up, no redelivery.

The negative control is the naive pika consumer (work inside the BlockingConnection callback):
the same 6 s of work loses its connection, proving 6 s really outlasts the heartbeat.
"""

import time

import pika
import pytest
from pika.exceptions import AMQPError

from rainmaker_bus import Consumer, Relay
from tests.bus.app import QUEUE, Behaviour, effect_counts, emit, handlers, queue_depth, setup_db
from tests.bus.conftest import fast_settings
from tests.support import wait_for

pytestmark = pytest.mark.fault

HEARTBEAT_S = 2
WORK_S = 6.0
# The control must outlast the broker's detection for sure: it closes a connection after two
# missed heartbeat checks, which can take up to three intervals after the last frame.
CONTROL_WORK_S = 5 * HEARTBEAT_S


def test_slow_handler_keeps_its_connection_and_runs_once(fault_url, tmp_path, in_thread):
    db = setup_db(f"sqlite:///{tmp_path / 'svc.db'}")
    b = Behaviour(sleep_on={"lead-slow": WORK_S})
    settings = fast_settings(fault_url, heartbeat_s=HEARTBEAT_S)
    consumer = Consumer(db, settings, QUEUE, handlers(b))
    in_thread(consumer)
    in_thread(Relay(db, settings))
    [slow_id] = emit(db, ["lead-slow"])
    emit(db, [1, 2, 3])
    started = time.monotonic()
    wait_for(lambda: len(effect_counts(db)) == 4, 60, message="all four applied")
    assert time.monotonic() - started >= WORK_S
    # Let a few more heartbeat intervals pass: a lost connection would redeliver by now.
    time.sleep(3 * HEARTBEAT_S)
    assert b.calls.count(slow_id) == 1
    assert consumer.link.reconnects == 0
    assert consumer.duplicates == 0
    assert set(effect_counts(db).values()) == {1}
    assert queue_depth(fault_url, QUEUE.name) == 0


def test_control_naive_blocking_consumer_loses_its_connection(fault_url, tmp_path):
    settings = fast_settings(fault_url)
    db = setup_db(f"sqlite:///{tmp_path / 'svc.db'}")
    relay = Relay(db, settings)
    relay.link.start()
    emit(db, ["lead-slow"])
    try:
        wait_for(lambda: relay.relay_once() == 1, 30, message="published")
    finally:
        relay.link.stop()
    params = pika.URLParameters(fault_url)
    params.heartbeat = HEARTBEAT_S
    conn = pika.BlockingConnection(params)
    ch = conn.channel()
    ch.basic_qos(prefetch_count=1)
    method, _props, _body = next(ch.consume(QUEUE.name, inactivity_timeout=10))
    assert method is not None
    time.sleep(CONTROL_WORK_S)  # the work, where pika's I/O loop cannot answer heartbeats
    with pytest.raises(AMQPError):
        ch.basic_ack(method.delivery_tag)
        conn.process_data_events(time_limit=1)
    # The broker dropped the connection, so the message is back for someone else: a redelivery.
    wait_for(lambda: queue_depth(fault_url, QUEUE.name) == 1, 30, message="message requeued")
